#!/usr/bin/env bash
# scripts/mlflow.sh — a local MLflow tracking server for tests, benchmarks and the demo.
#
#   scripts/mlflow.sh install                  create the virtualenv with the pinned MLflow
#   scripts/mlflow.sh run   --data DIR --port P run the server in the foreground (tests use this)
#   scripts/mlflow.sh start --data DIR [--port P] start it in the background and wait for /health
#   scripts/mlflow.sh stop  --data DIR         stop a server started with `start`
#   scripts/mlflow.sh url   --data DIR         print the URL of a server started with `start`
#
# The MLflow version is pinned in scripts/mlflow-requirements.txt and nowhere else
# ($MLEXP_MLFLOW_REQUIREMENTS names another file, such as scripts/gcs-requirements.txt, which
# includes it; give the same one to every command on that virtualenv, or it is rebuilt).
# The server's backend store and artifact root are $MLEXP_MLFLOW_BACKEND_URI and
# $MLEXP_MLFLOW_ARTIFACTS_DESTINATION when set (scripts/gcs-topology.sh sets them).
# The virtualenv lives in $MLEXP_VENV, default .venv in the project. It is rebuilt when the
# pinned requirements change. The server binds 127.0.0.1 only, stores runs in SQLite under
# DIR and serves artifacts (proxied) from DIR/artifacts.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="${MLEXP_MLFLOW_REQUIREMENTS:-$root/scripts/mlflow-requirements.txt}"
venv="${MLEXP_VENV:-$root/.venv}"
python="${PYTHON:-python3}"

die() { echo "mlflow.sh: $*" >&2; exit 1; }

install_venv() {
  local stamp="$venv/.mlexp-requirements"
  if [ -x "$venv/bin/mlflow" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    return 0
  fi
  command -v "$python" >/dev/null || die "$python not found: install Python 3.10+ (e.g. apt-get install python3 python3-venv)"
  if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
      die "Python's venv module is missing: install it (Debian: sudo apt-get install python3-venv)"
    fi
  fi
  echo "mlflow.sh: creating virtualenv $venv with $(grep -v '^#' "$req" | tr '\n' ' ')" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "could not create a virtualenv: install python3-venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
}

data="" port=""
parse() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --data) data="$2"; shift 2 ;;
      --port) port="$2"; shift 2 ;;
      *) die "unknown argument $1" ;;
    esac
  done
  [ -n "$data" ] || die "--data DIR is required"
  mkdir -p "$data/artifacts"
  data="$(cd "$data" && pwd)"
}

free_port() {
  "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

run_server() {
  [ -x "$venv/bin/mlflow" ] || die "MLflow is not installed in $venv: run 'scripts/mlflow.sh install' (or 'make venv')"
  [ -n "$port" ] || die "--port P is required"
  # Quieter, faster start-up: no telemetry, no update check.
  export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
  # No background job runner (used by GenAI features, not tracking): it costs a few
  # processes and CPU at every start.
  export MLFLOW_SERVER_ENABLE_JOB_EXECUTION=${MLFLOW_SERVER_ENABLE_JOB_EXECUTION:-false}
  exec "$venv/bin/mlflow" server \
    --backend-store-uri "${MLEXP_MLFLOW_BACKEND_URI:-sqlite:///$data/mlflow.db}" \
    --artifacts-destination "${MLEXP_MLFLOW_ARTIFACTS_DESTINATION:-$data/artifacts}" \
    --serve-artifacts \
    --host 127.0.0.1 --port "$port" \
    --workers "${MLEXP_MLFLOW_WORKERS:-2}"
}

wait_healthy() {
  local url="$1" pid="$2" i
  for i in $(seq 1 240); do
    if "$python" - "$url" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/health", timeout=2).read()
PY
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  install) install_venv ;;
  run) parse "$@"; run_server ;;
  start)
    parse "$@"
    install_venv
    if [ -f "$data/mlflow.pid" ] && kill -0 "$(cat "$data/mlflow.pid")" 2>/dev/null; then
      echo "mlflow.sh: already running at $(cat "$data/mlflow.url")" >&2; exit 0
    fi
    [ -n "$port" ] || port="$(free_port)"
    setsid "$0" run --data "$data" --port "$port" >"$data/mlflow.log" 2>&1 </dev/null &
    echo $! >"$data/mlflow.pid"
    echo "http://127.0.0.1:$port" >"$data/mlflow.url"
    wait_healthy "http://127.0.0.1:$port" "$!" || { tail -20 "$data/mlflow.log" >&2; die "MLflow did not become healthy; log: $data/mlflow.log"; }
    echo "http://127.0.0.1:$port"
    ;;
  stop)
    parse "$@"
    [ -f "$data/mlflow.pid" ] || exit 0
    pid="$(cat "$data/mlflow.pid")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$data/mlflow.pid" "$data/mlflow.url"
    ;;
  url) parse "$@"; cat "$data/mlflow.url" ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
