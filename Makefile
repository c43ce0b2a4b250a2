# The verbs a newcomer needs. Each target sets up .venv first if it is missing or stale.
#   make run [RAW_DIR=../shared/data/yearbook]   build and publish the warehouse
#   make test                                     the whole test suite
#   make ui                                       Dagster UI on http://127.0.0.1:3000
#   make sql Q="select ..."                       query the published file (no Q: interactive)
#   make bench                                    full-refresh timing on the real extracts, then
#                                                 every metric mart on a 6.1M-row generated panel
#   make docs                                     dbt documentation of every model and metric

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

RAW_DIR ?= raw
WAREHOUSE_DIR ?= warehouse
BENCH_RAW_DIR ?= ../shared/data/yearbook
export RAW_DIR WAREHOUSE_DIR
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# dagster-dbt's dev-mode manifest preparation looks for `dbt` on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

DBT_SOURCES := $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' | grep -v '/target/')

.PHONY: run test ui sql bench docs samples seeds setup clean

setup: $(VENV)/.installed dbt_project/target/manifest.json $(DAGSTER_HOME)/dagster.yaml

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# dagster-dbt reads the manifest; outside `dagster dev` nobody else prepares it.
dbt_project/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

run: setup
	$(BIN)/python -m orchestration.cli build

test: setup
	$(BIN)/python -m pytest

ui: setup
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

sql: setup
	$(BIN)/python -m orchestration.cli sql $(if $(Q),"$(Q)",)

bench: setup
	RAW_DIR=$(BENCH_RAW_DIR) $(BIN)/python benchmarks/bench_refresh.py
	$(BIN)/python benchmarks/bench_metrics_scale.py

# One self-contained HTML file (open it in a browser); the catalog part needs a built warehouse.
docs: setup
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . --static --quiet
	@echo "dbt docs: $(CURDIR)/dbt_project/target/static_index.html"

samples: $(VENV)/.installed
	$(BIN)/python scripts/make_samples.py

# Regenerate the industry seeds from the official code lists (needs ../shared).
seeds: $(VENV)/.installed
	$(BIN)/python scripts/derive_industry_seeds.py \
		--classification ../shared/data/yearbook/classification

clean:
	rm -rf $(WAREHOUSE_DIR) dbt_project/target dbt_project/logs
