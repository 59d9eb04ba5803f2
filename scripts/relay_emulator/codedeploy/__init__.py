"""CodeDeploy deployments that really run: the API (`api`) and the local lifecycle runner (`lifecycle/`)."""
