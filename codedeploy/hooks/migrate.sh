#!/usr/bin/env bash
# AfterInstall (2/2): database migrations. Every instance runs this; the app's migrate takes a
# PostgreSQL advisory lock, so exactly one applies them and the others find nothing left to do.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

load_app_env
log "migrating the database for release ${RELAY_RELEASE_ID:-unknown}"
"$CURRENT/venv/bin/python" -m app.migrate
