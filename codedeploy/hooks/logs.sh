#!/usr/bin/env bash
# BeforeInstall: ship this instance's logs (the app's JSON lines, the hooks' output) to CloudWatch Logs.
# The bundle's cloudwatch-agent.json, with this deployment's service and environment (its group is
# SERVICE-ENV-SLOT; an environment name has no hyphen) and region filled in, goes to $RUN_DIR; on EC2
# the CloudWatch agent (installed at boot) loads it. The emulator's instances have no agent: its log
# shipper reads the same file (docs/emulator.md).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

group=${DEPLOYMENT_GROUP_NAME:?CodeDeploy sets DEPLOYMENT_GROUP_NAME}
group=${group%-*}
service=${group%-*}
environment=${group##*-}
load_instance_env
[[ -n ${AWS_REGION:-} ]] || die "no AWS_REGION (app.env or instance metadata): cannot name the log groups' region"
mkdir -p "$RUN_DIR"
config=$RUN_DIR/cloudwatch-agent.json
sed -e "s/{relay_service}/$service/g" -e "s/{relay_environment}/$environment/g" -e "s/{relay_region}/$AWS_REGION/g" \
  "$(dirname "$0")/../cloudwatch-agent.json" >"$config.new"
mv "$config.new" "$config"

case $RELAY_SERVICE_MANAGER in
  systemd)
    command -v amazon-cloudwatch-agent-ctl >/dev/null || die "the CloudWatch agent is not installed (user data installs it)"
    amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c "file:$config"
    ;;
  process) log "agent configuration for the local log shipper: $config" ;;
  *) die "unknown RELAY_SERVICE_MANAGER=$RELAY_SERVICE_MANAGER (systemd|process)" ;;
esac
log "logs of $service-$environment go to /$service/$environment/app and /$service/$environment/codedeploy in $AWS_REGION"
