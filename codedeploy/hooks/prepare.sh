#!/usr/bin/env bash
# BeforeInstall: the instance has its settings (user data), then the directory layout. Root owns what
# root reads or writes later (the root, the revision's copy in incoming/, the agent's configuration in
# run/, the unit's log in log/); the app user owns only its releases, so it cannot swap what root runs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

require_app_env

for dir in "$RELAY_ROOT" "$RELEASES" "$RUN_DIR" "$LOG_DIR"; do
  [[ ! -L $dir ]] || die "$dir is a symbolic link: refusing to lay out the release there"
done
mkdir -p "$RELEASES" "$RUN_DIR" "$LOG_DIR"
if [[ $(id -u) -eq 0 ]] && id "$RELAY_USER" >/dev/null 2>&1; then
  # Also takes back a layout an older revision gave the app user.
  chown root:root "$RELAY_ROOT" "$RUN_DIR" "$LOG_DIR"
  chmod 0755 "$RELAY_ROOT" "$RUN_DIR" "$LOG_DIR"
  chown "$RELAY_USER:" "$RELEASES"
fi
log "layout ready under $RELAY_ROOT"
