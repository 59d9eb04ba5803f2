# shellcheck shell=bash disable=SC2034 # the variables are read by the hooks that source this file
# Sourced by every hook: where things live and how the service is run, from the environment.
# Defaults are the EC2 ones; the emulator's lifecycle runner sets the same variables to a temporary root.

RELAY_ROOT=${RELAY_ROOT:-/opt/relay}
RELAY_SERVICE_MANAGER=${RELAY_SERVICE_MANAGER:-systemd}  # systemd | process
RELAY_ENV_FILE=${RELAY_ENV_FILE:-/etc/relay/app.env}  # written at boot (user data) or by the runner
# The port the app binds: the runner's (one per local instance), else app.env's PORT (the stack's
# AppPort, which the systemd unit's gunicorn binds), else the revision's (relay.yaml's app.port).
RELAY_APP_PORT=${RELAY_APP_PORT:-$(sed -n 's/^PORT=//p' "$RELAY_ENV_FILE" 2>/dev/null | tail -n 1 || true)}
RELAY_APP_HOST=${RELAY_APP_HOST:-0.0.0.0}
RELAY_PYTHON=${RELAY_PYTHON:-python3}
RELAY_USER=${RELAY_USER:-relay}
RELAY_VALIDATE_SECONDS=${RELAY_VALIDATE_SECONDS:-90}
RELAY_STOP_SECONDS=${RELAY_STOP_SECONDS:-30}
RELAY_KEEP_RELEASES=${RELAY_KEEP_RELEASES:-3}
RELAY_UNIT=relay-api

INCOMING=$RELAY_ROOT/incoming
RELEASES=$RELAY_ROOT/releases
CURRENT=$RELAY_ROOT/current
RUN_DIR=$RELAY_ROOT/run
LOG_DIR=$RELAY_ROOT/log
PID_FILE=$RUN_DIR/gunicorn.pid

log() {
  printf '%s %s[%s]: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(basename "$0")" "${LIFECYCLE_EVENT:-manual}" "$*" >&2
}

die() {
  log "error: $*"
  exit 1
}

# A field of the revision's release.json (release_id, git_sha, version).
release_field() {
  "$RELAY_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# The revision's release.json (the one being deployed), for what the hooks need of the app.
RELEASE_JSON=$INCOMING/release.json
[[ -n $RELAY_APP_PORT ]] || RELAY_APP_PORT=$(release_field "$RELEASE_JSON" port 2>/dev/null || true)
RELAY_APP_PORT=${RELAY_APP_PORT:-8000}  # no revision yet (ApplicationStop on a first install)

# Instance metadata through IMDSv2 only (a session token first); fails fast off EC2. The endpoint is
# the SDKs' AWS_EC2_METADATA_SERVICE_ENDPOINT when set (the emulator's instances), else EC2's.
imds() {
  local base token
  base=${AWS_EC2_METADATA_SERVICE_ENDPOINT:-http://169.254.169.254/}
  base=${base%/}
  token=$(curl -fsS --max-time 2 -X PUT "$base/latest/api/token" \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 60') || return 1
  curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" "$base/latest/meta-data/$1"
}

# The instance's settings file must exist: without it the app would start on its embedded defaults.
require_app_env() {
  [[ -r $RELAY_ENV_FILE ]] ||
    die "no settings: $RELAY_ENV_FILE is missing; the launch template's user data writes it (RELAY_APP_CONFIG_SSM_PATH, AWS_REGION)"
}

# Export the instance's settings (root's file, written at boot: safe for the hooks that run as root)
# and its region. May hold secrets: never trace this.
load_instance_env() {
  set -a
  if [[ -r $RELAY_ENV_FILE ]]; then
    # shellcheck source=/dev/null
    source "$RELAY_ENV_FILE"
  fi
  set +a
  if [[ -z ${AWS_REGION:-} ]]; then
    AWS_REGION=$(imds placement/region) || AWS_REGION=
    export AWS_REGION
  fi
}

# The instance's settings and the current release's identity. release.env is the app user's file:
# only hooks running as that user (or the process manager's, as the runner's user) may source it.
load_app_env() {
  load_instance_env
  if [[ -r $CURRENT/release.env ]]; then
    set -a
    # shellcheck source=/dev/null
    source "$CURRENT/release.env"
    set +a
  fi
}

# The folder AfterInstall built for the revision being deployed (named by its release.json).
incoming_release() {
  printf '%s/%s\n' "$RELEASES" "$(release_field "$INCOMING/release.json" release_id)"
}

# The gunicorn master's pid when it runs (process manager), else nothing.
running_pid() {
  local pid
  [[ -r $PID_FILE ]] || return 1
  pid=$(<"$PID_FILE")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && grep -q gunicorn "/proc/$pid/cmdline" 2>/dev/null || return 1
  echo "$pid"
}

# Stop the running gunicorn gracefully (TERM, then KILL after RELAY_STOP_SECONDS); nothing running is fine.
stop_process() {
  local pid waited=0
  pid=$(running_pid) || { log "no gunicorn running"; rm -f "$PID_FILE"; return 0; }
  log "stopping gunicorn master $pid (graceful, up to ${RELAY_STOP_SECONDS}s)"
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= RELAY_STOP_SECONDS * 10)); then
      log "gunicorn $pid ignored TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
}
