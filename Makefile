# Newcomer commands:
#   make run            the service on http://127.0.0.1:5000 (SQLite in instance/, demo users)
#   make test           ruff + the test suite on SQLite
#   make test-postgres  the test suite on a throwaway PostgreSQL cluster (installs it if missing)
# Extra pytest arguments: make test PYTEST_ARGS="-k gunicorn -x"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.govit-installed
PYTEST_ARGS ?=
# pytest-xdist: the suite is faster on two processes, with each test module kept on one
# worker so that module-scoped servers (tests/test_gunicorn.py) start once.
PYTEST_PARALLEL ?= -n 2 --dist loadfile

.PHONY: run test test-postgres lint install clean-venv

# The virtualenv, and the project installed into it again only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/flask --app api run --port 5000

lint: $(STAMP)
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-postgres: $(STAMP)
	scripts/pg-test-server.sh $(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

clean-venv:
	rm -rf $(VENV)
