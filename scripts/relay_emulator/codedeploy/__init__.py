"""CodeDeploy deployments that really run the revision's hooks on the local fleet."""
