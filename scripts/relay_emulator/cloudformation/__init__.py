"""cloudformation."""
