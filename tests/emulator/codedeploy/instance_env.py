"""The environment an emulated instance's hooks and app may have: what EC2 and CodeDeploy give, no more."""

from __future__ import annotations

# What the hooks' environment holds on an emulated instance: CodeDeploy's variables, where the instance's
# files, port and process manager are (hooks/lib.sh), where its metadata service and AWS are; bash adds
# its own. Nothing of the app's settings, no credentials.
CODEDEPLOY = {
    "LIFECYCLE_EVENT",
    "DEPLOYMENT_ID",
    "APPLICATION_NAME",
    "DEPLOYMENT_GROUP_NAME",
    "DEPLOYMENT_GROUP_ID",
}
PLACEMENT = {
    "PATH",
    "HOME",
    "LANG",
    "RELAY_ROOT",
    "RELAY_SERVICE_MANAGER",
    "RELAY_APP_HOST",
    "RELAY_APP_PORT",
    "RELAY_ENV_FILE",
    "RELAY_VALIDATE_SECONDS",
    "RELAY_PYTHON",
}
ENDPOINTS = {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL"}
BASH = {"PWD", "OLDPWD", "SHLVL", "_"}
