"""Route 53 as disaster recovery needs it: health checks that probe local endpoints."""
