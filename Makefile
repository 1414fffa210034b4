# One task runner for people and CI. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= kadry.duckdb

.PHONY: help demo test test-fast setup bench bench-quick clean lint

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

# every benchmark script (several are not named *_bench.py, so a glob would skip them)
BENCH_SCRIPTS := indicators_bench publish_bench ingest_bench normalize_bench classifier_bench match_bench simulate_scale mobility_flows api_load privacy_noise trudvsem_bench spark_scale
QUICK_TMP ?= /tmp/kadry-bench-quick

bench: $(STAMP)  ## run every benchmark at full size (results in bench/results/, summarised in BENCHMARKS.md)
	@command -v wrk >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	for f in $(BENCH_SCRIPTS); do $(BIN)/python bench/$$f.py || exit 1; done
	$(BIN)/python bench/assemble.py

bench-quick: $(STAMP)  ## every benchmark at a small size, results to $(QUICK_TMP) (a smoke run, not figures)
	mkdir -p $(QUICK_TMP)/saved && cp bench/results/*.md $(QUICK_TMP)/saved/
	$(BIN)/python bench/indicators_bench.py --vacancies 20000 --observations 60000 --db $(QUICK_TMP)/ind.duckdb --no-write
	$(BIN)/python bench/ingest_bench.py --records 2000
	$(BIN)/python bench/normalize_bench.py --baseline-rows 300 --scale-rows 20000 --out $(QUICK_TMP)/normalize.md
	$(BIN)/python bench/classifier_bench.py --titles 20000 --out $(QUICK_TMP)/classifier.md
	$(BIN)/python bench/match_bench.py --vacancies 20000 --queries 50 --out $(QUICK_TMP)/match.md
	$(BIN)/python bench/simulate_scale.py --small 2000 6000 --large 20000 60000 --baseline 2000 2000 --work $(QUICK_TMP)/sim
	$(BIN)/python bench/mobility_flows.py --resumes 5000 --out $(QUICK_TMP)/mobility.md
	$(BIN)/python bench/api_load.py --duration 3 --connections 8 --vacancies 500 --out $(QUICK_TMP)/api.md
	$(BIN)/python bench/trudvsem_bench.py --sizes-mb 2 --baseline-max-mb 2
	$(BIN)/python bench/spark_scale.py --vacancies 20000 --observations 60000 --work $(QUICK_TMP)/spark --out $(QUICK_TMP)/spark.md
	# some scripts always write their results file: put the recorded figures back
	cp $(QUICK_TMP)/saved/*.md bench/results/

lint: $(STAMP)  ## ruff (lint and format) and mypy, configured in pyproject.toml
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

clean:  ## remove the virtual environment and local stores
	rm -rf $(VENV) kadry.duckdb kadry.duckdb.* .pytest_cache
