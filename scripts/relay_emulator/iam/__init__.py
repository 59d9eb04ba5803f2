"""IAM policy evaluation where moto is looser than AWS."""
