"""S3 as disaster recovery needs it: replication of new objects to other buckets."""
