"""EC2 as an instance sees it: what its launch template gives it, its user data at boot, its metadata."""
