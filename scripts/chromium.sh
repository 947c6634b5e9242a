#!/usr/bin/env bash
# scripts/chromium.sh — the headless Chromium of the browser tests, from Debian's packages.
#
#   scripts/chromium.sh install   install Chromium (apt-get, as root) when it is missing
#   scripts/chromium.sh path      print the path of the Chromium binary
#
# The browser tests (web/browsertest) drive it with chromedp; set MLEXP_CHROMIUM to use
# another Chromium or Chrome binary.
set -euo pipefail

die() { echo "chromium.sh: $*" >&2; exit 1; }

# find prints the binary: $MLEXP_CHROMIUM, Debian's /usr/bin/chromium, or one on the PATH
# (the same order as web/browsertest).
find_chromium() {
  local c
  if [ -n "${MLEXP_CHROMIUM:-}" ]; then
    [ -x "$MLEXP_CHROMIUM" ] && { echo "$MLEXP_CHROMIUM"; return 0; }
    return 1
  fi
  [ -x /usr/bin/chromium ] && { echo /usr/bin/chromium; return 0; }
  for c in chromium chromium-browser google-chrome-stable google-chrome; do
    if command -v "$c" >/dev/null; then command -v "$c"; return 0; fi
  done
  return 1
}

case "${1:-}" in
  install)
    find_chromium >/dev/null && exit 0
    [ -n "${MLEXP_CHROMIUM:-}" ] && die "MLEXP_CHROMIUM=$MLEXP_CHROMIUM is not an executable file"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "chromium.sh: installing Chromium from Debian's packages" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
      find_chromium >/dev/null || die "Chromium was installed but /usr/bin/chromium was not found"
    else
      die "Chromium is not installed: run 'sudo apt-get install chromium' (or set MLEXP_CHROMIUM to a Chromium or Chrome binary)"
    fi
    ;;
  path)
    find_chromium && exit 0
    [ -n "${MLEXP_CHROMIUM:-}" ] && die "MLEXP_CHROMIUM=$MLEXP_CHROMIUM is not an executable file"
    die "Chromium is not installed: run 'make browser' (or scripts/chromium.sh install as root)"
    ;;
  *) sed -n '2,8p' "$0" >&2; exit 2 ;;
esac
