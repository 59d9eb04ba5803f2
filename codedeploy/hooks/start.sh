#!/usr/bin/env bash
# ApplicationStart: run gunicorn for the current release, under systemd on EC2 or as a daemon locally.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start_systemd() {
  local unit=/etc/systemd/system/$RELAY_UNIT.service
  if ! cmp -s "$INCOMING/systemd/$RELAY_UNIT.service" "$unit"; then
    install -m 0644 "$INCOMING/systemd/$RELAY_UNIT.service" "$unit"
    systemctl daemon-reload
  fi
  systemctl enable --quiet "$RELAY_UNIT"
  systemctl restart "$RELAY_UNIT"
}

# Like `systemctl restart`: CodeDeploy runs ApplicationStop only from the last successful revision, so
# after a failed first deployment the failed release may still be running here.
start_process() {
  stop_process
  load_app_env
  export RELAY_APP_BIND=$RELAY_APP_HOST:$RELAY_APP_PORT
  (cd "$CURRENT" && exec "$CURRENT/venv/bin/gunicorn" --config "$CURRENT/gunicorn.conf.py" --daemon \
    --pid "$PID_FILE" --error-logfile "$LOG_DIR/gunicorn.log" 'app:create_app()')
}

case $RELAY_SERVICE_MANAGER in
  systemd) start_systemd ;;
  process) start_process ;;
  *) die "unknown RELAY_SERVICE_MANAGER=$RELAY_SERVICE_MANAGER (systemd|process)" ;;
esac
log "started $RELAY_UNIT ($RELAY_SERVICE_MANAGER) on port $RELAY_APP_PORT"
