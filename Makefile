# Newcomer commands:
#   make run            the service on http://127.0.0.1:5000 (SQLite in instance/, demo users)
#   make test           ruff + the test suite on SQLite
#   make test-postgres  the tests a database backend can change, on a throwaway PostgreSQL cluster
#                       (installs it if missing): those that ask for a database; of the browser
#                       tests only the full walk, of the jurisdictions' scenarios only a cover of
#                       each file (marker postgres_too: a backend changes how a case is stored,
#                       not which branch it takes, so the fewest scenarios that use every kind
#                       of step, process and end state of the file; all run under SQLite)
# Extra pytest arguments: make test PYTEST_ARGS="-k gunicorn -x"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.govit-installed
PYTEST_ARGS ?=
# pytest-xdist, one worker per core: on the 2-core CI machine the suite takes ~60 s instead of
# ~80 s in one process (measured 2026-11-23, 295 tests). PYTEST_PARALLEL= runs it in one process.
# loadgroup: the browser tests (tests/browser, xdist group "browser") share one worker, so one
# live server and one Chromium serve them all.
PYTEST_PARALLEL ?= -n auto --dist loadgroup

.PHONY: run test test-postgres lint install clean-venv web web-if-possible

# The virtualenv, and the project installed into it again only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

# The browser app (web/): npm ci from the committed lock, then a Vite build into web/dist,
# redone only when a source file, the lock or the config changed.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.js web/package-lock.json
# Without npm the service still starts (the API works and / says how to build the app).
web/node_modules/.package-lock.json: web/package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js 20+ to build the web app (web/)"; exit 1; }
	cd web && npm ci --no-audit --no-fund
web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build
web: web/dist/index.html

web-if-possible:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory web; \
	else echo "npm not found: serving the API only; / explains how to build the web app"; fi

run: $(STAMP) web-if-possible
	$(BIN)/flask --app api run --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# Lint and tests both run, so one run shows all problems; fails if either failed
# (pytest's exit code 5, "no tests ran", is a failure too). Both test targets build the web app
# first: the browser tests (tests/browser, Debian's chromium) drive the built web/dist.
test: $(STAMP) web
	@status=0; \
	echo "$(BIN)/ruff check ."; $(BIN)/ruff check . || status=$$?; \
	echo "$(BIN)/lint-imports --no-cache"; $(BIN)/lint-imports --no-cache || status=$$?; \
	echo "$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)"; \
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS) || status=$$?; \
	exit $$status

test-postgres: $(STAMP) web
	scripts/pg-test-server.sh $(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not no_database and (not (browser or scenario) or postgres_too)" $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
