"""Secrets Manager where moto differs from AWS in what Relay uses: replica secrets found by partial ARN."""
