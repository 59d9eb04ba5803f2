#!/usr/bin/env bash
# ValidateService: the new release answers its readiness path and its version path names it, before a
# deadline (both paths are relay.yaml's, from the revision's release.json).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ -r $CURRENT/release.json ]] || die "no release installed: $CURRENT/release.json is missing (did AfterInstall run?)"
release_id=$(release_field "$CURRENT/release.json" release_id)
readiness=$(release_field "$CURRENT/release.json" readiness_path)
version=$(release_field "$CURRENT/release.json" version_path)
base=http://127.0.0.1:$RELAY_APP_PORT
deadline=$((SECONDS + RELAY_VALIDATE_SECONDS))
while ((SECONDS < deadline)); do
  if curl -fsS --max-time 2 "$base$readiness" >/dev/null 2>&1 &&
    curl -fsS --max-time 2 "$base$version" 2>/dev/null | grep -q "\"$release_id\""; then
    log "release $release_id is ready on $base"
    exit 0
  fi
  sleep 0.5
done
# What the app said is what explains a deadline: its last lines go to the hooks' log (and CloudWatch).
if [[ -r $LOG_DIR/gunicorn.log ]]; then
  log "last lines of $LOG_DIR/gunicorn.log:"
  tail -n 15 "$LOG_DIR/gunicorn.log" >&2
fi
die "release $release_id not ready on $base within ${RELAY_VALIDATE_SECONDS}s (see $LOG_DIR/gunicorn.log)"
