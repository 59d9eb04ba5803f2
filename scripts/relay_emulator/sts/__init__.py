"""STS as strict as AWS where moto 5.2 is not: AssumeRole checks the role, its trust and the external id."""
