#!/usr/bin/env bash
# ApplicationStop: stop the API gracefully. Runs from the PREVIOUS revision, so it tolerates anything
# missing (first install, service never started, stale pid file) and only fails when a process will not die.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

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

case $RELAY_SERVICE_MANAGER in
  systemd)
    if systemctl cat "$RELAY_UNIT" >/dev/null 2>&1; then
      systemctl stop "$RELAY_UNIT"
    else
      log "unit $RELAY_UNIT not installed yet"
    fi
    ;;
  process) stop_process ;;
  *) die "unknown RELAY_SERVICE_MANAGER=$RELAY_SERVICE_MANAGER (systemd|process)" ;;
esac
