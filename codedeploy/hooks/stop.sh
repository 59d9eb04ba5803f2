#!/usr/bin/env bash
# ApplicationStop: stop the API gracefully. Runs from the PREVIOUS revision, so it tolerates anything
# missing (first install, service never started, stale pid file) and only fails when a process will not die.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

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
