"""Route 53 health checks that report what their endpoint really answers."""
