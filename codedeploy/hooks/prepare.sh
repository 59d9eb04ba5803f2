#!/usr/bin/env bash
# BeforeInstall: the instance has its settings (user data), then the directory layout, owned by the app user.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

require_app_env

mkdir -p "$RELEASES" "$RUN_DIR" "$LOG_DIR"
if [[ $(id -u) -eq 0 ]] && id "$RELAY_USER" >/dev/null 2>&1; then
  chown "$RELAY_USER:" "$RELAY_ROOT" "$RELEASES" "$RUN_DIR" "$LOG_DIR"
fi
log "layout ready under $RELAY_ROOT"
