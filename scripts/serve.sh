#!/usr/bin/env bash
# Serve the site with gunicorn and run the background-job worker and the reminders beside it
# (and, with DEMO_IDP_PORT, the demo's identity provider); stop them together.
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
idp=""
# `make demo` also runs the demo's identity provider "Demo Institute" (SAML 2.0, demo only).
if [ -n "${DEMO_IDP_PORT:-}" ]; then
  "$bin/python" -m fusionforum.demo_idp.saml_idp var/demo-idp "$DEMO_IDP_PORT" \
    fusionforum/demo_idp/people.json &
  idp=$!
  echo "Demo Institute (identity provider, demo only) on http://127.0.0.1:$DEMO_IDP_PORT/metadata"
fi
trap 'kill "$worker" "$reminders" $idp 2>/dev/null || true; wait "$worker" "$reminders" $idp 2>/dev/null || true' EXIT INT TERM
echo "Fusion Forum on http://$host:$port/  (Ctrl-C stops the server and the worker)"
"$bin/gunicorn" --config gunicorn.conf.py --bind "$host:$port" fusionforum.wsgi
