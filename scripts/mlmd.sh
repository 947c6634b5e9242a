#!/usr/bin/env bash
# scripts/mlmd.sh — the ml-metadata (MLMD) library, for tests and the demo.
#
#   scripts/mlmd.sh install          create the virtualenv with the pinned ml-metadata
#   scripts/mlmd.sh python [ARGS…]   run that virtualenv's Python (e.g. scripts/mlmd_write.py)
#   scripts/mlmd.sh venv             print the virtualenv's directory
#
# ml-metadata is pinned in scripts/mlmd-requirements.txt and nowhere else. It pins
# protobuf < 5, which MLflow's virtualenv cannot share, so it has a virtualenv of its own:
# $MLEXP_MLMD_VENV, default "$MLEXP_VENV-mlmd" (.venv-mlmd in the project when MLEXP_VENV is
# unset). It is rebuilt when the pinned requirements change. ml-metadata 1.17.1 ships wheels
# for CPython 3.9 to 3.11 on x86-64 Linux and macOS; set PYTHON to such an interpreter when
# python3 is another version.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
req="$root/scripts/mlmd-requirements.txt"
venv="${MLEXP_MLMD_VENV:-${MLEXP_VENV:-$root/.venv}-mlmd}"

die() { echo "mlmd.sh: $*" >&2; exit 1; }

# pick_python prints an interpreter ml-metadata has wheels for.
pick_python() {
  local p
  for p in ${PYTHON:-} python3 python3.11 python3.10 python3.9; do
    command -v "$p" >/dev/null || continue
    if "$p" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] <= (3, 11) else 1)'; then
      echo "$p"; return 0
    fi
  done
  return 1
}

install_venv() {
  local stamp="$venv/.mlexp-requirements" python
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && cmp -s "$req" "$stamp"; then
    return 0
  fi
  python="$(pick_python)" || die "ml-metadata needs Python 3.9, 3.10 or 3.11: install one (e.g. apt-get install python3.11 python3.11-venv) and set PYTHON to it"
  if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    else
      die "Python's venv module is missing: install it (Debian: sudo apt-get install python3-venv)"
    fi
  fi
  echo "mlmd.sh: creating virtualenv $venv with $(tr '\n' ' ' <"$req")" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" || die "could not create a virtualenv: install python3-venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  install) install_venv ;;
  python)
    [ -x "$venv/bin/python" ] || die "ml-metadata is not installed in $venv: run 'scripts/mlmd.sh install' (make test does)"
    exec "$venv/bin/python" "$@" ;;
  venv) echo "$venv" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
