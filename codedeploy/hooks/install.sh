#!/usr/bin/env bash
# AfterInstall (1/2): a virtualenv for this release from the bundle's wheelhouse (no internet needed),
# in the app user's releases/; ApplicationStart (root) points `current` at it. Re-running with the same
# release is a no-op.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

release_id=$(release_field "$INCOMING/release.json" release_id)
target=$RELEASES/$release_id

# A virtualenv cannot move (its scripts name their own path), so it is built in place and marked done.
if [[ -f $target/.installed ]]; then
  log "release $release_id already installed"
else
  log "installing release $release_id"
  rm -rf "$target"
  # The system's pip installs into the new virtualenv when it can (pip >= 22.3 has --python): no copy of
  # pip to install and byte-compile first. Otherwise the virtualenv gets its own pip (ensurepip).
  if "$RELAY_PYTHON" -m pip --python "$RELAY_PYTHON" --version >/dev/null 2>&1; then
    "$RELAY_PYTHON" -m venv --without-pip "$target/venv"
    pip=("$RELAY_PYTHON" -m pip --python "$target/venv/bin/python")
  else
    "$RELAY_PYTHON" -m venv "$target/venv"
    pip=("$target/venv/bin/pip")
  fi
  # Exactly the wheelhouse (the app and its locked, hash-checked dependencies): no index, no resolution.
  # No up-front byte-compiling of every dependency (botocore alone is thousands of modules): the modules
  # the app imports are compiled and cached on first import (the release folder is the app user's).
  "${pip[@]}" install --quiet --no-compile --no-index --no-deps --disable-pip-version-check \
    "$INCOMING"/wheelhouse/*.whl
  "${pip[@]}" check --disable-pip-version-check >/dev/null
  cp "$INCOMING/release.json" "$target/"
  # The slot is the instance's `relay:slot` tag (its Auto Scaling group's, through IMDS); /version shows it.
  slot=$(imds tags/instance/relay:slot) || slot=unknown
  wsgi=$(release_field "$INCOMING/release.json" wsgi)
  # Quoted for bash's `source` and systemd's EnvironmentFile alike (relay.yaml's pattern allows no quote).
  printf "RELAY_RELEASE_ID=%s\nRELAY_GIT_SHA=%s\nRELAY_SLOT=%s\nRELAY_WSGI_APP='%s'\n" \
    "$release_id" "$(release_field "$INCOMING/release.json" git_sha)" "$slot" "$wsgi" >"$target/release.env"
  # A fixed path to the app's gunicorn settings (gunicorn.conf.py beside the entry point's module), for
  # the systemd unit and the process manager alike.
  conf=$("$target/venv/bin/python" -c 'import importlib.util, pathlib, sys
print(pathlib.Path(importlib.util.find_spec(sys.argv[1]).origin).with_name("gunicorn.conf.py"))' "${wsgi%%:*}")
  [[ -f $conf ]] || die "the app ships no gunicorn settings: $conf is missing (beside ${wsgi%%:*})"
  ln -sfn "$(realpath --relative-to="$target" "$conf")" "$target/gunicorn.conf.py"
  touch "$target/.installed"
fi

# Keep the newest few releases for a quick manual roll back; never the one being installed.
find "$RELEASES" -mindepth 1 -maxdepth 1 -type d ! -name "$release_id" -printf '%T@ %p\n' | sort -rn |
  tail -n +"$RELAY_KEEP_RELEASES" | cut -d' ' -f2- | xargs -r rm -rf
log "installed $target"
