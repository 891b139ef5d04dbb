#!/usr/bin/env bash
# Install the Debian packages a target needs, only when they are missing.
#   chromium - the browser the Playwright tests drive (/usr/bin/chromium; never a downloaded one)
#   npm      - installs axe-core for the accessibility checks
#   wrk      - the HTTP load generator of `make bench` (optional)
#   postgresql - initdb and pg_ctl, for the test that stops and starts a PostgreSQL server of its own
#   gettext - msgfmt and xgettext: compiles the translation catalogues, finds new strings
#   libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core - what WeasyPrint needs to render PDFs
#   xmlsec1 - signs and checks SAML 2.0 messages (pysaml2 calls the binary)
set -euo pipefail
missing=()
for package in "$@"; do
  case "$package" in
    chromium) [ -x /usr/bin/chromium ] || missing+=(chromium) ;;
    npm) command -v npm >/dev/null || missing+=(npm) ;;
    gettext) command -v msgfmt >/dev/null || missing+=(gettext) ;;
    wrk) command -v wrk >/dev/null || missing+=(wrk) ;;
    postgresql) compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql) ;;
    *) dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]}" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
echo "Installing Debian packages: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
