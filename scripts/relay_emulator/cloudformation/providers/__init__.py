"""CloudFormation resource types moto lacks or handles differently, each backed by moto's service backend."""
