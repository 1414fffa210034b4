# One task runner for people and CI. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= kadry.duckdb

.PHONY: help demo test test-fast setup bench clean lint

help:  ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[spark,test,lint]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install kadry with its test and Spark extras

demo: $(STAMP)  ## ingest the bundled real samples, simulate the supply side, compute indicators, serve the dashboard
	$(BIN)/kadry demo --db $(DB)

test: $(STAMP)  ## the whole suite: unit, Spark (local mode), browser (Debian chromium), shared-data tests
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)  ## the quick part only (no Spark, browser or slow tests)
	$(BIN)/python -m pytest -q -m 'not spark and not browser and not slow'

bench: $(STAMP)  ## run the benchmarks (results in bench/results/, summarised in BENCHMARKS.md)
	for f in bench/*_bench.py; do $(BIN)/python $$f || exit 1; done

lint: $(STAMP)  ## ruff (lint and format) and mypy, configured in pyproject.toml
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src

clean:  ## remove the virtual environment and local stores
	rm -rf $(VENV) kadry.duckdb kadry.duckdb.* .pytest_cache
