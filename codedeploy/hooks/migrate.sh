#!/usr/bin/env bash
# AfterInstall (2/2): database migrations, the module relay.yaml's app.migrate names. Every instance
# runs this; the module takes a lock (Relay's API: a PostgreSQL advisory lock), so exactly one applies
# them and the others find nothing left to do.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

load_instance_env
release=$(incoming_release)
module=$(release_field "$RELEASE_JSON" migrate)
if [[ -z $module ]]; then
  log "release ${release##*/} declares no migrations"
  exit 0
fi
log "migrating the database for release ${release##*/} (python -m $module)"
"$release/venv/bin/python" -m "$module"
