"""route53."""
