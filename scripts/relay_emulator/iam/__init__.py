"""IAM as AWS evaluates it where moto 5.2 does not: policy conditions."""
