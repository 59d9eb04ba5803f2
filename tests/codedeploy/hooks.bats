#!/usr/bin/env bats
# The hooks' shared library in isolation, and each hook end to end where it needs no root, systemd
# or network: the process manager, a temporary RELAY_ROOT, 127.0.0.1 only.
# shellcheck disable=SC2016 # in_lib's code is single-quoted on purpose: it expands in the hook's shell
# shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr

bats_require_minimum_version 1.5.0
load helpers

# serve_release ID: a stand-in API on a free port whose /readyz answers and whose /version names ID;
# returns once it answers. Its port goes to $PORT.
serve_release() {
  local site=$BATS_TEST_TMPDIR/site
  mkdir -p "$site"
  echo ok >"$site/readyz"
  printf '{"release_id": "%s"}\n' "$1" >"$site/version"
  PORT=$(free_port)
  python3 -m http.server --bind 127.0.0.1 --directory "$site" "$PORT" </dev/null >/dev/null 2>&1 3>&- &
  STARTED_PIDS+=("$!")
  disown # killed at teardown: no job report
  eventually curl -fs -o /dev/null "http://127.0.0.1:$PORT/version"
}

# release_json ID: the release.json `relay bundle` writes for Relay's API, as release ID.
release_json() {
  printf '{"release_id": "%s", "wsgi": "app:create_app()", "port": 8000, "migrate": "app.migrate", ' "$1"
  printf '"health_path": "/healthz", "readiness_path": "/readyz", "version_path": "/version"}\n'
}

# installed_release ID: the revision ID in incoming/ and its release built by AfterInstall, whose gunicorn
# records its arguments in $ROOT/gunicorn.args.
installed_release() {
  mkdir -p "$ROOT/incoming" "$ROOT/releases/$1/venv/bin"
  release_json "$1" >"$ROOT/incoming/release.json"
  printf "RELAY_RELEASE_ID=%s\nRELAY_WSGI_APP='app:create_app()'\n" "$1" >"$ROOT/releases/$1/release.env"
  printf '#!/bin/sh\necho "$@" >"%s"\n' "$ROOT/gunicorn.args" >"$ROOT/releases/$1/venv/bin/gunicorn"
  chmod +x "$ROOT/releases/$1/venv/bin/gunicorn"
  touch "$ROOT/releases/$1/.installed"
}

current_release() {
  mkdir -p "$ROOT/current"
  release_json "$1" >"$ROOT/current/release.json"
}

# lib.sh

@test "release_field prints one field of release.json" {
  printf '{"release_id": "r7", "git_sha": "abc123", "version": "1.2.0"}\n' >"$BATS_TEST_TMPDIR/release.json"
  run -0 in_lib 'release_field "$F" git_sha' "F=$BATS_TEST_TMPDIR/release.json"
  [[ $output == abc123 ]]
}

@test "release_field fails on a missing field, so a hook under set -e stops" {
  echo '{"release_id": "r7"}' >"$BATS_TEST_TMPDIR/release.json"
  run -1 --separate-stderr in_lib 'release_field "$F" git_sha; echo after' "F=$BATS_TEST_TMPDIR/release.json"
  [[ $output == "" ]]
  [[ $stderr == *"KeyError: 'git_sha'"* ]]
}

@test "running_pid: nothing without a pid file" {
  run -1 in_lib running_pid
  [[ $output == "" ]]
}

@test "running_pid: nothing for a stale pid" {
  write_pid $(($(</proc/sys/kernel/pid_max) + 1)) # above pid_max: no process can have it
  run -1 in_lib running_pid
  [[ $output == "" ]]
}

@test "running_pid: nothing for a live process that is not gunicorn (a reused pid)" {
  spawn sleep
  write_pid "$SPAWNED"
  run -1 in_lib running_pid
  [[ $output == "" ]]
}

@test "running_pid: the pid of a live gunicorn" {
  spawn gunicorn
  write_pid "$SPAWNED"
  run -0 in_lib running_pid
  [[ $output == "$SPAWNED" ]]
}

@test "load_app_env exports the env file and the current release's identity, then stops exporting" {
  printf 'RELAY_DB_SECRET=s3cret\nRELAY_LOG_LEVEL="debug info"\n' >"$BATS_TEST_TMPDIR/app.env"
  mkdir -p "$ROOT/current"
  printf 'RELAY_RELEASE_ID=r7\nRELAY_GIT_SHA=abc123\n' >"$ROOT/current/release.env"
  run -0 in_lib 'load_app_env; LATER=1; printenv RELAY_DB_SECRET RELAY_LOG_LEVEL RELAY_RELEASE_ID RELAY_GIT_SHA AWS_REGION; printenv LATER || echo "LATER not exported"' \
    "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/app.env"
  [[ $output == $'s3cret\ndebug info\nr7\nabc123\nus-east-1\nLATER not exported' ]]
}

@test "load_app_env without files and with AWS_REGION set: no failure, no IMDS call" {
  run -0 --separate-stderr in_lib 'imds() { echo "imds called" >&2; return 1; }; load_app_env; printenv AWS_REGION' \
    "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/absent.env"
  [[ $output == us-east-1 ]]
  [[ $stderr == "" ]]
}

@test "load_app_env without AWS_REGION takes the instance's region from IMDS" {
  run -0 in_lib 'imds() { [[ $1 == placement/region ]] && echo eu-west-1; }; load_app_env; printenv AWS_REGION' \
    AWS_REGION= "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/absent.env"
  [[ $output == eu-west-1 ]]
}

@test "load_app_env off EC2 (IMDS fails) leaves AWS_REGION empty and carries on" {
  run -0 in_lib 'imds() { return 1; }; load_app_env; echo "region=[$AWS_REGION]"' \
    AWS_REGION= "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/absent.env"
  [[ $output == "region=[]" ]]
}

@test "die logs error: on stderr and exits 1" {
  run -1 --separate-stderr in_lib 'die "no bundle here"; echo after'
  [[ $output == "" ]]
  [[ $stderr == *"]: error: no bundle here" ]]
}

@test "log names the script and the lifecycle event, with a UTC timestamp, on stderr" {
  run -0 --separate-stderr in_lib 'log hello world' LIFECYCLE_EVENT=ApplicationStart
  [[ $output == "" ]]
  [[ $stderr =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\ probe\.sh\[ApplicationStart\]:\ hello\ world$ ]]
}

@test "log outside CodeDeploy says manual" {
  run -0 --separate-stderr in_lib 'log by hand'
  [[ $stderr == *" probe.sh[manual]: by hand" ]]
}

# the hooks

@test "prepare.sh lays out the root, and again without complaint" {
  run -0 --separate-stderr hook prepare
  run -0 --separate-stderr hook prepare
  [[ -d $ROOT/releases && -d $ROOT/run && -d $ROOT/log ]]
  [[ $stderr == *"layout ready under $ROOT" ]]
}

@test "logs.sh renders the bundle's agent configuration for its environment and region" {
  run -0 --separate-stderr hook logs DEPLOYMENT_GROUP_NAME=relay-staging-green AWS_REGION=eu-west-1
  config=$ROOT/run/cloudwatch-agent.json
  python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["agent"]["region"] == "eu-west-1", c
groups = {e["log_group_name"] for e in c["logs"]["logs_collected"]["files"]["collect_list"]}
assert groups == {"/relay/staging/app", "/relay/staging/codedeploy"}, groups' "$config"
  [[ $stderr == *"logs of relay-staging go to /relay/staging/app and /relay/staging/codedeploy in eu-west-1" ]]
}

@test "logs.sh names another service's log groups, a hyphen in the service's name included" {
  run -0 --separate-stderr hook logs DEPLOYMENT_GROUP_NAME=order-ledger-demo-blue AWS_REGION=us-east-1
  [[ $stderr == *"logs of order-ledger-demo go to /order-ledger/demo/app and /order-ledger/demo/codedeploy in us-east-1" ]]
}

@test "logs.sh runs as root: it reads the instance's settings, never the app user's release.env" {
  mkdir -p "$ROOT/current"
  printf 'RELAY_RELEASE_ID=$(touch %q)\n' "$BATS_TEST_TMPDIR/ran-as-root" >"$ROOT/current/release.env"
  run -0 --separate-stderr hook logs DEPLOYMENT_GROUP_NAME=relay-staging-green
  [[ ! -e $BATS_TEST_TMPDIR/ran-as-root ]]
}

@test "prepare.sh as root: root owns the root, run/ and log/; the app user only its releases/" {
  mkdir -p "$ROOT"
  chmod 0777 "$ROOT"
  # fakeroot: the hook is root (as CodeDeploy runs it) for anyone running the tests.
  run -0 --separate-stderr env -i "${HOOK_ENV[@]}" RELAY_USER=nobody fakeroot -- bash -c \
    "$(printf '%q ' "$HOOKS/prepare.sh") && stat -c '%U %a %n' $(printf '%q ' "$ROOT" "$ROOT/run" "$ROOT/log" "$ROOT/releases")"
  [[ $output == "root 755 $ROOT"$'\n'"root 755 $ROOT/run"$'\n'"root 755 $ROOT/log"$'\n'"nobody "*" $ROOT/releases" ]]
}

@test "prepare.sh refuses a layout folder that is a symbolic link" {
  mkdir -p "$ROOT" "$BATS_TEST_TMPDIR/elsewhere"
  ln -s "$BATS_TEST_TMPDIR/elsewhere" "$ROOT/run"
  run -1 --separate-stderr hook prepare
  [[ $stderr == *"error: $ROOT/run is a symbolic link: refusing to lay out the release there" ]]
}

@test "start.sh refuses a revision AfterInstall did not build, and leaves current alone" {
  mkdir -p "$ROOT/incoming"
  printf '{"release_id": "r9"}\n' >"$ROOT/incoming/release.json"
  run -1 --separate-stderr hook start
  [[ $stderr == *"error: release r9 is not installed in $ROOT/releases (did AfterInstall run?)" ]]
  [[ ! -e $ROOT/current ]]
}

@test "logs.sh on EC2 needs the CloudWatch agent, and a deployment group to name the environment" {
  run -1 --separate-stderr hook logs DEPLOYMENT_GROUP_NAME=relay-prod-blue RELAY_SERVICE_MANAGER=systemd
  [[ $stderr == *"error: the CloudWatch agent is not installed (user data installs it)" ]]
  run -1 --separate-stderr hook logs
  [[ $stderr == *"DEPLOYMENT_GROUP_NAME"* ]]
}

@test "prepare.sh on an instance whose user data wrote no settings fails, saying so" {
  run -1 --separate-stderr hook prepare "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/absent.env"
  [[ $stderr == *"]: error: no settings: $BATS_TEST_TMPDIR/absent.env is missing; the launch template's user data writes it"* ]]
  [[ ! -d $ROOT/releases ]]
}

@test "stop.sh on a first install: nothing to stop, exit 0" {
  run -0 --separate-stderr hook stop
  [[ $stderr == *"no gunicorn running" ]]
  [[ ! -e $PID_FILE ]]
}

@test "stop.sh with a stale pid file: exit 0, the pid file removed" {
  write_pid $(($(</proc/sys/kernel/pid_max) + 1))
  run -0 --separate-stderr hook stop
  [[ $stderr == *"no gunicorn running" ]]
  [[ ! -e $PID_FILE ]]
}

@test "stop.sh never signals a reused pid that is not gunicorn" {
  spawn sleep
  write_pid "$SPAWNED"
  run -0 --separate-stderr hook stop
  [[ $stderr == *"no gunicorn running" ]]
  [[ ! -e $PID_FILE ]]
  kill -0 "$SPAWNED"
}

@test "stop.sh stops a running gunicorn with TERM" {
  spawn gunicorn
  write_pid "$SPAWNED"
  run -0 --separate-stderr hook stop
  [[ $stderr == *"stopping gunicorn master $SPAWNED (graceful, up to 30s)"* ]]
  [[ $stderr != *"killing it"* ]]
  [[ ! -e $PID_FILE ]]
  run ! kill -0 "$SPAWNED"
}

@test "stop.sh kills a gunicorn that ignores TERM after RELAY_STOP_SECONDS" {
  spawn gunicorn ignore-term
  write_pid "$SPAWNED"
  run -0 --separate-stderr hook stop RELAY_STOP_SECONDS=1
  [[ $stderr == *"gunicorn $SPAWNED ignored TERM; killing it"* ]]
  [[ ! -e $PID_FILE ]]
  eventually has_argv "$SPAWNED" ""
}

@test "start.sh stops a gunicorn still running, as systemctl restart does, then starts the release" {
  # CodeDeploy runs ApplicationStop only from the last successful revision: after a failed first
  # deployment the failed release is still running when the next one starts.
  spawn gunicorn
  write_pid "$SPAWNED"
  installed_release r2
  run -0 --separate-stderr hook start
  [[ $stderr == *"current -> $ROOT/releases/r2"* ]]
  [[ $(readlink "$ROOT/current") == "$ROOT/releases/r2" ]]
  [[ $stderr == *"stopping gunicorn master $SPAWNED (graceful, up to 30s)"* ]]
  [[ $stderr == *"started relay-api (process) on port 8000" ]]
  run ! kill -0 "$SPAWNED"
  [[ $(<"$ROOT/gunicorn.args") == *"--daemon --pid $PID_FILE"* ]]
  [[ $(<"$ROOT/gunicorn.args") == *" app:create_app()" ]]  # release.env's entry point, one argument
}

@test "migrate.sh runs the module release.json names, and nothing when it names none" {
  installed_release r3
  printf '#!/bin/sh\necho "python $*" >"%s"\n' "$ROOT/migrate.args" >"$ROOT/releases/r3/venv/bin/python"
  chmod +x "$ROOT/releases/r3/venv/bin/python"
  run -0 --separate-stderr hook migrate
  [[ $(<"$ROOT/migrate.args") == "python -m app.migrate" ]]
  rm "$ROOT/migrate.args"
  release_json r3 | sed 's/"app.migrate"/""/' >"$ROOT/incoming/release.json"
  run -0 --separate-stderr hook migrate
  [[ $stderr == *"release r3 declares no migrations"* ]]
  [[ ! -e $ROOT/migrate.args ]]
}

@test "stop.sh and start.sh refuse an unknown RELAY_SERVICE_MANAGER" {
  installed_release r1
  for name in stop start; do
    run -1 --separate-stderr hook "$name" RELAY_SERVICE_MANAGER=upstart
    [[ $stderr == *"error: unknown RELAY_SERVICE_MANAGER=upstart (systemd|process)" ]]
  done
}

@test "validate.sh passes once /readyz answers and /version names the release" {
  current_release r1
  serve_release r1
  run -0 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=5 "RELAY_APP_PORT=$PORT"
  [[ $stderr == *"release r1 is ready on http://127.0.0.1:$PORT" ]]
}

@test "validate.sh on EC2 checks the port app.env names (the stack's AppPort), as the unit binds it" {
  current_release r1
  serve_release r1
  echo "PORT=$PORT" >"$ROOT/app.env"
  run -0 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=5 "RELAY_ENV_FILE=$ROOT/app.env"
  [[ $stderr == *"release r1 is ready on http://127.0.0.1:$PORT" ]]
}

@test "validate.sh gives up at its deadline while another release answers" {
  current_release r1
  serve_release r0
  run -1 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=1 "RELAY_APP_PORT=$PORT"
  [[ $stderr == *"error: release r1 not ready on http://127.0.0.1:$PORT within 1s"* ]]
}

@test "validate.sh gives up at its deadline when nothing listens" {
  current_release r1
  port=$(free_port)
  run -1 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=1 "RELAY_APP_PORT=$port"
  [[ $stderr == *"error: release r1 not ready on http://127.0.0.1:$port within 1s (see $ROOT/log/gunicorn.log)" ]]
}

@test "validate.sh shows the app's last log lines when it gives up" {
  current_release r1
  port=$(free_port)
  mkdir -p "$ROOT/log"
  printf 'early line\n%s\n' "[ERROR] Worker failed to boot." >"$ROOT/log/gunicorn.log"
  run -1 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=1 "RELAY_APP_PORT=$port"
  [[ $stderr == *"last lines of $ROOT/log/gunicorn.log:"*"[ERROR] Worker failed to boot."*"not ready on"* ]]
}

@test "validate.sh names a missing release instead of failing on a traceback" {
  run -1 --separate-stderr hook validate RELAY_VALIDATE_SECONDS=1
  [[ $stderr == *"error: no release installed: $ROOT/current/release.json is missing (did AfterInstall run?)" ]]
  [[ $stderr != *Traceback* ]]
}
