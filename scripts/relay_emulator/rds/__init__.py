"""RDS as disaster recovery needs it: read-replica promotion and replica lag."""
