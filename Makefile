# Targets people and CI both use. `make run` and `make test` are the README's quick start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test test-deps lint translations check-translations bench validate mutation

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

## Set up and serve the app on SQLite with the shipped content: http://127.0.0.1:5000/
run: install
	$(BIN)/screening run

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

## Benchmarks (on demand, never in pass/fail tests): core scoring, then HTTP on SQLite and PostgreSQL.
bench: install
	$(BIN)/python bench/scoring.py
	$(BIN)/python bench/http.py

## Mutation testing of the decision modules with the fast decision tests (about 2 minutes): killed share per module.
mutation: install
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2
	$(BIN)/python tests/mutation_report.py
