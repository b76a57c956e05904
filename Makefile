# Targets people and CI both use. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# What the app needs to run; then, for tests, linting and catalogs, the test extra on top.
APP_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev
PIP := $(BIN)/python -m pip install --quiet
# `make run PORT=8080` (or the PORT variable in the environment).
PORT ?=

.PHONY: install run test test-deps lint translations check-translations bench validate mutation

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $(APP_STAMP)

$(DEV_STAMP): $(APP_STAMP)
	$(PIP) -e ".[test]"
	touch $(DEV_STAMP)

## Everything a developer needs: the app, the test tools, ruff, mypy and Babel.
install: $(DEV_STAMP)

## Set up and serve the app on SQLite with the shipped content: http://127.0.0.1:5000/
run: $(APP_STAMP)
	$(BIN)/screening run $(if $(PORT),--port $(PORT))

## Set up and run the whole test suite (browser tests included).
test: install test-deps
	$(BIN)/python -m pytest

## Debian's Chromium for the browser tests, fonts for the PDF slip, axe-core for accessibility.
test-deps:
	@bash .ci/test-deps

validate: install
	$(BIN)/screening validate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy screening/core

## Re-extract UI strings, merge them into the catalogs, derive Serbian Cyrillic, compile.
translations: install
	$(BIN)/python -m screening.catalogs

check-translations: install
	$(BIN)/python -m screening.catalogs check

## Benchmarks (on demand, never in pass/fail tests): core scoring, HTTP and statistics on SQLite and
## PostgreSQL, then a tablet on a throttled mobile network (Debian's Chromium).
bench: install test-deps
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/http.py
	$(BIN)/python bench/statistics.py
	$(BIN)/python bench/mobile.py

## Mutation testing of the decision modules with the fast decision tests (about 2 minutes): killed share per module.
mutation: install
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python tests/mutation_report.py
