# Fusion Forum. `make demo` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Python writes and reuses byte code (.pyc) even where the environment says not to: without it
# every process (test workers, app servers, manage.py children) compiles Django, the project and
# every test module from source again, which took half of an app server's start-up.
unexport PYTHONDONTWRITEBYTECODE
# The suite runs in parallel (pytest-xdist), one worker per core; TEST_WORKERS=0 runs it serially.
TEST_WORKERS ?= auto

.PHONY: messages translations demo serve test test-fast lint bench bench-web bench-programme bench-scheduler install install-test system-test-deps clean help

help:
	@echo "make demo   - install, migrate the SQLite demo database, load the demo workshop, serve on http://$(HOST):$(PORT)"
	@echo "make test   - install everything the suite needs and run it (DATABASE_URL/REDIS_URL select PostgreSQL/Redis)"
	@echo "make lint   - ruff and the import layers (import-linter)"
	@echo "make bench  - public pages under gunicorn (req/s, p50, p99), then the registration surge (2,000 clients, 300 seats)"

$(BIN)/python:
	scripts/bootstrap-venv.sh "$(PYTHON)" "$(VENV)"

# Packages are installed with uv (pinned in constraints.txt, itself installed with pip): the
# same constraints as pip, resolved and installed in seconds instead of about two minutes.
# Byte code is written on first import (PYTHONDONTWRITEBYTECODE is unexported above), so only
# the modules that run are compiled: compiling every installed package at install time
# (--compile-bytecode) cost about 36 s of CPU, mostly for modules nothing imports.
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt

$(BIN)/uv: $(BIN)/python constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt uv
	touch $@

$(VENV)/.installed: $(BIN)/uv pyproject.toml constraints.txt
	scripts/ensure-system-packages.sh libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core xmlsec1
	$(UV) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(UV) -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	scripts/ensure-system-packages.sh npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Translations: the catalogues (.po) are in git; their compiled form (.mo) is built here.
# `make messages` adds every newly marked string to the catalogues (run from fusionforum/ so
# that only our own code is scanned).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard fusionforum/locale/*/LC_MESSAGES/*.po))
MESSAGE_LANGUAGES := $(notdir $(wildcard fusionforum/locale/*))

%.mo: %.po
	@scripts/ensure-system-packages.sh gettext
	msgfmt --check-format --output-file=$@ $<

translations: $(MO_FILES)

messages: install
	scripts/ensure-system-packages.sh gettext
	cd fusionforum && ../$(BIN)/python ../manage.py makemessages --add-location=file --no-obsolete \
	  --ignore 'static/*' $(addprefix -l ,$(MESSAGE_LANGUAGES))
	cd fusionforum && ../$(BIN)/python ../manage.py makemessages -d djangojs --add-location=file --no-obsolete \
	  $(addprefix -l ,$(MESSAGE_LANGUAGES))

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test node_modules/.installed translations

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	DEMO_IDP_PORT=8001 HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

serve: install
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

system-test-deps:
	scripts/ensure-system-packages.sh chromium

test: install-test system-test-deps
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=25 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	scripts/ensure-system-packages.sh wrk || true
	$(BIN)/python bench/web.py
	$(BIN)/python bench/registration_surge.py
	$(BIN)/python bench/programme.py
	$(BIN)/python bench/scheduler.py

bench-programme: install
	scripts/ensure-system-packages.sh wrk || true
	$(BIN)/python bench/programme.py

bench-scheduler: install
	$(BIN)/python bench/scheduler.py

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .ruff_cache
