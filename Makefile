# The verbs a newcomer needs. Each target sets up .venv first if it is missing or stale.
#   make run [RAW_DIR=../shared/data/yearbook]   build and publish the warehouse
#            [ALLOW_CHANGES=1] [FULL=1]           publish an intended change; rebuild though nothing changed
#            [MAX_WORKBOOK_MIB=50] [MAX_SHEET_CELLS=2000000]   size bounds of one workbook (raise for a bigger export)
#                                                 (one line per stage; dbt's output goes to the log it names)
#   make status                                   the current publication: every table and its rows, checks
#   make test                                     the whole test suite
#   make test-fast                                the tests that need neither ../shared nor a refresh
#   make test-spark                               the dbt models on Spark (own venv), every mart compared with DuckDB
#   make lint                                     ruff (check, format), import-layer contracts and sqlfluff, as CI runs them
#   make ui [RAW_DIR=...] [WAREHOUSE_DIR=...] [PORT=3000]   Dagster UI and daemon on http://127.0.0.1:$(PORT)
#   make ui-check                                 click through the UI in headless Chromium, screenshots
#   make sql Q="select ..." [FILES=1]             query the published file (no Q: interactive); FILES=1: local files too
#   make rollback [VERSION=...]                   put a kept version back in place
#   make export TABLE=... [FORMAT=csv|csv-excel|parquet|xlsx|dta] [WHERE=...] [OUT=...]   a published table to a file
#   make trace TABLE=... universe=... province=... year=... indicator=...   a row back to its raw cells
#   make report A=yrd B=jjj FROM=2005 TO=2014 [INDICATOR=...] [YEARS=2005,2010,2014]   comparison report: HTML, XLSX
#   make report-check                             a sample report opened in headless Chromium, offline; screenshots
#   make bench [BASE=../wt-base]                  refresh timings on the real extracts (full, nothing changed,
#                                                 one file, the UI); BASE: against that worktree's commit,
#                                                 alternately; then every metric mart on a 6.1M-row panel
#   make docs                                     dbt documentation of every model and metric
#   make samples / make seeds                     regenerate raw/; re-derive the industry seeds from the code lists
#   make clean                                    DELETE WAREHOUSE_DIR (the published file and every kept
#                                                 version: nothing left to roll back to) and dbt's target/, logs/
#   make help                                     this list

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

RAW_DIR ?= raw
WAREHOUSE_DIR ?= warehouse
PORT ?= 3000
BENCH_RAW_DIR ?= ../shared/data/yearbook
# Absolute, so dbt (which runs inside dbt_project/) and Dagster name the same files, and the
# manifest prepared here matches the runs' profile (dbt then parses only what changed).
override RAW_DIR := $(abspath $(RAW_DIR))
override WAREHOUSE_DIR := $(abspath $(WAREHOUSE_DIR))
export RAW_DIR WAREHOUSE_DIR
# What users type (Q=, WHERE=, trace keys, ...) reaches the CLI as typed: each becomes a simply
# expanded variable holding its unexpanded text, so make runs no $(...) in it, neither here nor
# when it puts the variable into a recipe's environment (as it does with every command-line
# variable). The CLI reads it from the environment, never from a shell command line.
# make trace's keys are orchestration/trace.py's KEY_COLUMNS and ALIASES.
TRACE_KEYS := universe_code industry_set province_code partner_province_code industry_code region_code \
	group_code indicator year base_year universe province partner industry region group set
USER_TEXT := Q FILES WHERE OUT TABLE FORMAT A B FROM TO INDICATOR YEARS ALLOW_CHANGES FULL VERSION \
	REGION_GROUPS_FILE REPORT_PAIRS $(TRACE_KEYS)
$(foreach name,$(USER_TEXT),$(if $(filter command line environment,$(origin $(name))),\
	$(eval override $(name) := $$(value $(name)))$(eval export $(name))))
export SQL_QUERY := $(value Q)
export SQL_FILES := $(value FILES)
export EXPORT_WHERE := $(value WHERE)
export EXPORT_OUT := $(value OUT)
export TABLE FORMAT
export REPORT_A := $(value A)
export REPORT_B := $(value B)
export REPORT_FROM := $(value FROM)
export REPORT_TO := $(value TO)
export REPORT_INDICATOR := $(value INDICATOR)
export REPORT_YEARS := $(value YEARS)
export ALLOW_CHANGES FULL VERSION REGION_GROUPS_FILE REPORT_PAIRS MAX_WORKBOOK_MIB MAX_SHEET_CELLS
export DBT_USE_COLORS := false
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# dagster-dbt's dev-mode manifest preparation looks for `dbt` on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# The dbt files derived from the source catalogue (not in git): its sources, the catalogue as a
# Jinja macro and the seeds keyed by family (orchestration/ingest/dbt_catalogue.py).
DBT_GENERATED := dbt_project/models/staging/_sources__generated.yml dbt_project/macros/source_catalogue__generated.sql \
	dbt_project/seeds/source_classification_vintage.csv dbt_project/seeds/indicator.csv
# dbt's target/ and logs/ are not walked: target/ gains a directory of compiled SQL with every dbt
# build, and walking it made every make command slower with each refresh.
DBT_SOURCES := $(sort $(shell find dbt_project \( -name target -o -name logs \) -prune -o \
	\( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print) $(DBT_GENERATED))

.PHONY: run status test test-fast test-spark lint export trace report report-check ui ui-check sql rollback bench docs samples seeds setup clean help

setup: $(VENV)/.installed dbt_project/target/manifest.json $(DAGSTER_HOME)/dagster.yaml

# About 3 minutes on a 2-core machine with a warm package cache (docs/benchmarks.md).
$(VENV)/.installed: pyproject.toml
	@echo "Installing the Python environment (.venv) - first time only, or after pyproject.toml changed; about 3 minutes"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

# dbt's partial-parse state depends on WAREHOUSE_DIR (the profile names it): parse again when
# another directory is used, so each run's dbt parses only what changed.
PARSED_FOR := dbt_project/target/.parsed_for_warehouse
$(shell mkdir -p dbt_project/target; [ "$$(cat $(PARSED_FOR) 2>/dev/null)" = "$(WAREHOUSE_DIR)" ] || echo "$(WAREHOUSE_DIR)" > $(PARSED_FOR))

# Each file is rewritten only where its content changed (dbt's partial parse compares contents).
$(DBT_GENERATED) &: orchestration/ingest/sources.yml orchestration/ingest/dbt_catalogue.py $(VENV)/.installed
	@$(BIN)/python -m orchestration.ingest.dbt_catalogue
	@touch $(DBT_GENERATED)

# dagster-dbt reads the manifest; outside `dagster dev` nobody else prepares it.
dbt_project/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES) $(PARSED_FOR)
	@echo "Parsing the dbt project (dbt parse)"
	@$(BIN)/python -m orchestration.dbt_parse_state

# Kept out of the repository root: `dagster dev` warns about a dagster.yaml in its working folder
# that is not DAGSTER_HOME's.
$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster_instance.yaml
	@mkdir -p $(DAGSTER_HOME)
	cp orchestration/dagster_instance.yaml $@

run: setup
	@$(BIN)/python -m orchestration.cli build

status: $(VENV)/.installed
	@$(BIN)/python -m orchestration.cli status

# Two worker processes (this machine has two cores), each test file on one worker, the longest
# files first (tests/conftest.py; pytest-xdist would otherwise hand out the files with the most
# tests first); the time per file: docs/benchmarks.md, "Test suite time".
test: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not spark"

test-fast: setup
	$(BIN)/python -m pytest -m "not real_data and not refresh and not spark"

# The same dbt models on Spark (docs/operations.md "Running on Spark"): builds the samples on DuckDB through the
# refresh job, then on Spark in local mode from the same inputs, and compares every mart row by
# row. Spark lives in its own virtual environment (pyspark is ~490 MB); it needs Java 17.
SPARK_VENV := .venv-spark
$(SPARK_VENV)/.installed: spark/requirements.txt
	@test -x $(SPARK_VENV)/bin/python || $(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet -r spark/requirements.txt
	@touch $@

test-spark: setup $(SPARK_VENV)/.installed
	@command -v java >/dev/null || { echo "test-spark needs Java 17 (apt-get install openjdk-17-jre-headless)"; exit 1; }
	$(BIN)/python -m pytest -m spark tests/test_spark_equivalence.py

# What CI checks before the tests (.ci/run). Fix formatting with `ruff format .` and
# `sqlfluff fix dbt_project/models dbt_project/tests`.
lint: $(VENV)/.installed $(DBT_GENERATED)
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --check --no-cache .
	$(BIN)/lint-imports --no-cache
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/sqlfluff lint --disable-progress-bar --nocolor --processes 2 dbt_project/models dbt_project/tests

# Dagster 1.13 marks `dagster dev` "superseded" by `dg dev` (dagster-dg-cli, a project scaffolder
# this repository does not use) and warns at every start; the server is the same, so the notice is
# filtered (tests/webserver_client.py starts it the same way).
ui: setup
	PYTHONWARNINGS='ignore:Function `dev_command` is superseded' \
		$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p $(PORT)

# Clicks "Materialize all" in the lineage view in headless Chromium and saves screenshots of the
# lineage, the run and a failed run's cause to warehouse/ui-check/. Needs Debian's chromium
# (apt-get install chromium fonts-noto-cjk); installs Playwright into .venv (no browser download).
ui-check: setup
	@test -x /usr/bin/chromium || { echo "ui-check needs Chromium: apt-get install chromium fonts-noto-cjk"; exit 1; }
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet playwright==1.65.2
	$(BIN)/python scripts/ui_check.py

sql: setup
	$(BIN)/python -m orchestration.cli sql

rollback: setup
	$(BIN)/python -m orchestration.cli rollback

# make trace TABLE=mart_specialization_relative universe=yrd province=320000 year=2014 indicator=...
# (the key columns reach the command through the environment, as make passes them)
trace: setup
	$(BIN)/python -m orchestration.cli trace

# make report A=yrd B=jjj FROM=2005 TO=2014 [INDICATOR=employment]: WAREHOUSE_DIR/comparison-reports/*.html, *.xlsx.
# Any two published groups and span: a pair not in REPORT_PAIRS (the pairs the refresh pre-builds) is
# computed from the published file by the dbt models' SQL, without a rebuild (docs/report-any-pair.md).
report: setup
	$(BIN)/python -m orchestration.cli report

# The report in headless Chromium with the network off: no console error, every chart drawn.
report-check: setup
	@test -x /usr/bin/chromium || { echo "report-check needs Chromium: apt-get install chromium fonts-noto-cjk"; exit 1; }
	$(BIN)/python -m pytest tests/test_report.py -v -k chromium

# make export TABLE=mart_location_quotient FORMAT=csv|csv-excel|parquet|xlsx|dta [WHERE="universe_code = 'yrd'"] [OUT=file]
# (docs/querying-and-exports.md)
export: setup
	$(BIN)/python -m orchestration.cli export

# BASE: a worktree of the commit to compare with (git worktree add ../wt-base <commit>, its .venv linked).
bench: setup
	RAW_DIR=$(BENCH_RAW_DIR) $(BIN)/python benchmarks/bench_refresh.py --ui $(if $(BASE),--base $(abspath $(BASE)))
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

# The verbs, from the comment at the top of this file.
help:
	@sed -n '2,/^$$/p' Makefile | sed -e 's/^#   //' -e '/^$$/d'
