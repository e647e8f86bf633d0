# The two commands the README names: `make run` and `make test`. CI runs `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TAXPAYERS ?= 10000
SEED ?= 20261130
export IDRS_DATABASE_URL ?= sqlite:///var/idrs.db
export IDRS_KEYRING ?= var/keyring.json
export IDRS_CHECKPOINT_FILE ?= var/checkpoint.txt

.PHONY: run setup test lint typecheck unit install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: create the embedded database with a synthetic population and demo staff, then serve.
run: setup
	$(BIN)/idrs welcome

## setup: idempotent; a finished population is kept, an interrupted one is resumed.
setup: $(STAMP)
	$(BIN)/idrs init --if-missing
	$(BIN)/idrs synth --taxpayers $(TAXPAYERS) --seed $(SEED)
	$(BIN)/idrs demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

## make test: lint, types, then the whole suite on SQLite and a throwaway PostgreSQL.
test: lint typecheck
	HYPOTHESIS_PROFILE=ci scripts/with-postgres.sh $(BIN)/python -m pytest -n 2 --dist loadfile -q

bench: $(STAMP)
	$(BIN)/python bench/synth.py

clean:
	rm -rf var/idrs.db var/idrs.db-wal var/idrs.db-shm
