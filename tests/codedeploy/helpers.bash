# shellcheck shell=bash
# Shared set-up for hooks.bats: every test gets its own RELAY_ROOT and runs the hooks (or lib.sh) in a
# clean environment, as CodeDeploy would: process manager, a fixed region (no IMDS), the system PATH,
# and the settings file user data writes (empty).

HOOKS=$(cd "$BATS_TEST_DIRNAME/../../codedeploy/hooks" && pwd)

setup() {
  ROOT=$BATS_TEST_TMPDIR/root
  PID_FILE=$ROOT/run/gunicorn.pid
  : >"$BATS_TEST_TMPDIR/user-data.env"
  HOOK_ENV=(PATH=/usr/bin:/bin "RELAY_ROOT=$ROOT" RELAY_SERVICE_MANAGER=process AWS_REGION=us-east-1
    "RELAY_ENV_FILE=$BATS_TEST_TMPDIR/user-data.env")
  STARTED_PIDS=()
}

teardown() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
  done
}

# hook NAME [VAR=VALUE...]: run codedeploy/hooks/NAME.sh with the test's environment plus VARs.
hook() {
  local name=$1
  shift
  env -i "${HOOK_ENV[@]}" "$@" "$HOOKS/$name.sh"
}

# in_lib CODE [VAR=VALUE...]: run CODE in a shell set up as a hook's (strict mode, lib.sh sourced,
# the same clean environment), whose $0 is probe.sh.
in_lib() {
  local code=$1
  shift
  env -i "${HOOK_ENV[@]}" "$@" bash -c "set -euo pipefail; source $(printf %q "$HOOKS/lib.sh"); $code" probe.sh
}

# A port nothing listens on (bind to 0 and ask), on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# spawn NAME [ignore-term]: a background process whose command line is NAME (so "gunicorn" passes
# running_pid's check), orphaned as gunicorn --daemon is; its pid goes to $SPAWNED and is killed at teardown.
spawn() {
  local name=$1 ignore=${2:-}
  SPAWNED=$(
    (
      [[ $ignore == ignore-term ]] && trap '' TERM
      exec -a "$name" sleep 60
    ) </dev/null >/dev/null 2>&1 3>&- &
    echo $!
  )
  STARTED_PIDS+=("$SPAWNED")
  eventually has_argv "$SPAWNED" "$name 60 "
}

# has_argv PID WORDS: the process's command line is WORDS, each followed by a space (a process that
# has exited, zombie or gone, has none: "").
has_argv() {
  [[ $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") == "$2" ]]
}

# eventually COMMAND...: retry COMMAND until it succeeds, for up to 5 seconds.
eventually() {
  local tries=0
  until "$@"; do
    ((++tries < 500)) || { echo "still failing after 5s: $*" >&2; return 1; }
    sleep 0.01
  done
}

# write_pid PID: the pid file the process manager keeps.
write_pid() {
  mkdir -p "${PID_FILE%/*}"
  echo "$1" >"$PID_FILE"
}
