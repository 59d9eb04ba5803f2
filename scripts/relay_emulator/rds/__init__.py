"""RDS as disaster recovery needs it: read replicas, their promotion and their lag."""
