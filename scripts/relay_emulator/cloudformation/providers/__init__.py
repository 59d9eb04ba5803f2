"""Resource types in templates: the ones moto lacks, and the ones it creates or updates unlike AWS."""
