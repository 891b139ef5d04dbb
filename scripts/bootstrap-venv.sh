#!/usr/bin/env bash
# Create the virtual environment; on Debian, install python3-venv first if it is missing.
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" != "3.11" ]; then
  echo "Fusion Forum needs Python 3.11 (found $version at $(command -v "$python"))." >&2
  echo "Run: make PYTHON=python3.11 ..." >&2
  exit 1
fi
if ! "$python" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$python" -m venv "$venv"
  else
    echo "Could not create a virtual environment: install python3-venv (Debian) and retry." >&2
    exit 1
  fi
fi
