"""The local lifecycle runner: what the CodeDeploy agent does on an instance, for the local fleet."""
