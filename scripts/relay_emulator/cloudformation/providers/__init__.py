"""cloudformation/providers."""
