#!/usr/bin/env bash
# ApplicationStart: point `current` at the release AfterInstall built, then run gunicorn for it, under
# systemd on EC2 or as a daemon locally. As root: the link and the unit are root's (prepare.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

release=$(incoming_release)
[[ -f $release/.installed ]] || die "release ${release##*/} is not installed in $RELEASES (did AfterInstall run?)"
ln -sfn "$release" "$CURRENT.next"
mv -T "$CURRENT.next" "$CURRENT"
log "current -> $release"

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
    --pid "$PID_FILE" --error-logfile "$LOG_DIR/gunicorn.log" "$RELAY_WSGI_APP")
}

case $RELAY_SERVICE_MANAGER in
  systemd) start_systemd ;;
  process) start_process ;;
  *) die "unknown RELAY_SERVICE_MANAGER=$RELAY_SERVICE_MANAGER (systemd|process)" ;;
esac
log "started $RELAY_UNIT ($RELAY_SERVICE_MANAGER) on port $RELAY_APP_PORT"
