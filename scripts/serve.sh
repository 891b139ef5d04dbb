#!/usr/bin/env bash
# Serve the site with gunicorn and run the background-job worker and the reminders beside it;
# stop them together.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
"$bin/python" manage.py db_worker --queue-name default &
worker=$!
# The automatic reminders (docs/announcements.md): every five minutes, each sent once.
"$bin/python" manage.py send_reminders --every 300 &
reminders=$!
trap 'kill "$worker" "$reminders" 2>/dev/null || true; wait "$worker" "$reminders" 2>/dev/null || true' EXIT INT TERM
echo "Fusion Forum on http://$host:$port/  (Ctrl-C stops the server and the worker)"
"$bin/gunicorn" --config gunicorn.conf.py --bind "$host:$port" fusionforum.wsgi
