#!/usr/bin/env bash
# scripts/gcs-topology.sh — the spec's MLflow topology, run locally: MLflow with a PostgreSQL
# backend store (Debian's PostgreSQL) and a gs:// artifact root on a GCS emulator
# (gcp-storage-emulator from PyPI, reached through STORAGE_EMULATOR_HOST).
#
#   scripts/gcs-topology.sh install            the virtualenv ($MLEXP_GCS_VENV, default .venv-gcs)
#   scripts/gcs-topology.sh start --data DIR   start the three in the background; prints the URLs
#   scripts/gcs-topology.sh stop  --data DIR   stop them
#
# The virtualenv holds the pinned MLflow plus google-cloud-storage and the emulator
# (scripts/gcs-requirements.txt). Artifacts land in the bucket mlexp-artifacts under mlflow/;
# to read them with MLflow's or Google's Python clients, export the STORAGE_EMULATOR_HOST that
# start prints. internal/mlflowtest/gcs_test.go runs the same topology in a test.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MLEXP_VENV="${MLEXP_GCS_VENV:-$root/.venv-gcs}"
export MLEXP_MLFLOW_REQUIREMENTS="$root/scripts/gcs-requirements.txt"
bucket=mlexp-artifacts

die() { echo "gcs-topology.sh: $*" >&2; exit 1; }

data=""
parse() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --data) data="$2"; shift 2 ;;
      *) die "unknown argument $1" ;;
    esac
  done
  [ -n "$data" ] || die "--data DIR is required"
  mkdir -p "$data"
  data="$(cd "$data" && pwd)"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# as_pg runs a PostgreSQL binary, as the postgres user when we are root (it refuses root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin pg="$data/pg" port
  bin="$("$root/scripts/postgres.sh" bindir)" || die "PostgreSQL is not installed: run 'make postgres'"
  if [ ! -d "$pg/data" ]; then
    mkdir -p "$pg"
    [ "$(id -u)" = 0 ] && chown postgres: "$pg"
    as_pg "$bin/initdb" -D "$pg/data" -U mlexp --auth=trust -E UTF8 >"$data/initdb.log"
  fi
  port="$(free_port)"
  as_pg "$bin/pg_ctl" -D "$pg/data" -l "$pg/postgres.log" -w -o "-h 127.0.0.1 -p $port -k $pg" start >/dev/null
  echo "$port" >"$data/postgres.port"
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U mlexp mlflow 2>/dev/null || true
}

start_emulator() {
  local port
  port="$(free_port)"
  setsid "$MLEXP_VENV/bin/gcp-storage-emulator" -d "$data/gcs" start --host 127.0.0.1 --port "$port" \
    --default-bucket "$bucket" >"$data/gcs-emulator.log" 2>&1 </dev/null &
  echo $! >"$data/gcs-emulator.pid"
  echo "http://127.0.0.1:$port" >"$data/gcs-emulator.url"
  for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/storage/v1/b/$bucket" >/dev/null && return 0
    sleep 0.5
  done
  die "the GCS emulator did not answer; log: $data/gcs-emulator.log"
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  install) "$root/scripts/mlflow.sh" install ;;
  start)
    parse "$@"
    "$root/scripts/mlflow.sh" install
    start_postgres
    start_emulator
    export STORAGE_EMULATOR_HOST="$(cat "$data/gcs-emulator.url")"
    export MLEXP_MLFLOW_BACKEND_URI="postgresql+psycopg2://mlexp@127.0.0.1:$(cat "$data/postgres.port")/mlflow"
    export MLEXP_MLFLOW_ARTIFACTS_DESTINATION="gs://$bucket/mlflow"
    url="$("$root/scripts/mlflow.sh" start --data "$data/mlflow")"
    echo "MLFLOW_TRACKING_URI=$url"
    echo "STORAGE_EMULATOR_HOST=$STORAGE_EMULATOR_HOST"
    echo "backend store: $MLEXP_MLFLOW_BACKEND_URI; artifacts: $MLEXP_MLFLOW_ARTIFACTS_DESTINATION"
    ;;
  stop)
    parse "$@"
    "$root/scripts/mlflow.sh" stop --data "$data/mlflow" || true
    if [ -f "$data/gcs-emulator.pid" ]; then
      kill -TERM -- "-$(cat "$data/gcs-emulator.pid")" 2>/dev/null || kill "$(cat "$data/gcs-emulator.pid")" 2>/dev/null || true
      rm -f "$data/gcs-emulator.pid" "$data/gcs-emulator.url"
    fi
    if [ -d "$data/pg/data" ]; then
      bin="$("$root/scripts/postgres.sh" bindir)"
      as_pg "$bin/pg_ctl" -D "$data/pg/data" -m fast stop >/dev/null 2>&1 || true
    fi
    ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
