"""S3 cross-region replication: objects are copied to each rule's destination bucket."""
