#!/usr/bin/env bash
# AfterInstall (2/2): database migrations. Every instance runs this; the app's migrate takes a
# PostgreSQL advisory lock, so exactly one applies them and the others find nothing left to do.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

load_instance_env
release=$(incoming_release)
log "migrating the database for release ${release##*/}"
"$release/venv/bin/python" -m app.migrate
