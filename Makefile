# gongkai: `make run` builds the warehouse and reports from the bundled data; `make test` tests.
# Both create .venv (python3 -m venv) and install the project into it when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gongkai-installed
# the reader's compiled modules (setup.py): compiled again when a source of gongkai/read changes
COMPILED := gongkai/read/_compiled.txt

SOURCE ?= data/raw
WAREHOUSE ?= warehouse/gongkai.duckdb
OUT ?= out
RUN_ARGS ?=
PYTEST_ARGS ?=
REGISTRY ?=
PREFECT_PORT ?= 4200
SERVE_ARGS ?=
REGISTRY_ARG = $(if $(REGISTRY),--registry $(REGISTRY))

.PHONY: run test test-fast install marts bench lint compare install-check server serve

run: $(STAMP) $(COMPILED)
	$(BIN)/gongkai run --source $(SOURCE) --warehouse $(WAREHOUSE) --out $(OUT) $(REGISTRY_ARG) $(RUN_ARGS)
	@echo "warehouse: $(WAREHOUSE) (Parquet in $(dir $(WAREHOUSE))parquet/); reports: $(OUT)/"

# every tier: fast tests, end-to-end flow runs, browser tests, the install from a wheel
test: $(STAMP) $(COMPILED)
	$(BIN)/pytest $(PYTEST_ARGS)

# the fast tier only (no Prefect server, no browser, no fresh environment): for developers
test-fast: $(STAMP) $(COMPILED)
	$(BIN)/pytest -m "not flow and not browser and not slow" $(PYTEST_ARGS)

install: $(STAMP) $(COMPILED)

# PYTHONWARNINGS: setuptools notes that an editable install is one (an information, not a
# problem); every other warning of the build is shown
$(STAMP): pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# the install compiles the reader (Cython, when there is a C compiler); after an edit only the
# changed modules (and those that cimport their .pxd declarations) are compiled again (until
# then the whole reader runs as Python: gongkai/read/_native.py)
$(COMPILED): $(wildcard gongkai/read/*.py gongkai/read/*.pxd) | $(STAMP)
	$(BIN)/python setup.py --quiet build_ext --inplace
	touch $@

# regenerate the wide views sql/marts/v_t*.sql and their column list in docs/warehouse.md
marts: $(STAMP)
	$(BIN)/python tools/codegen.py

# the demo and a generated corpus built by this checkout, compared with snapshots of an
# earlier version: make compare BASELINE=/path/to/baseline (see tools/compare.py)
compare: $(STAMP)
	$(BIN)/python tools/compare.py $(BASELINE)

# build a wheel, install it into a fresh venv, run gongkai from another folder
install-check: $(STAMP)
	$(BIN)/python tools/check_install.py

bench: $(STAMP)
	$(BIN)/python bench/bench_flow.py

lint: $(STAMP)
	$(BIN)/ruff check .

# a persistent Prefect server with its UI on http://127.0.0.1:$(PREFECT_PORT) (foreground;
# docs/operations.md). Set PREFECT_HOME to keep its database where you want it.
server: $(STAMP)
	PREFECT_SERVER_API_PORT=$(PREFECT_PORT) $(BIN)/prefect server start --host 127.0.0.1 --port $(PREFECT_PORT)

# serve the annual flow on its schedule against that server (foreground; Ctrl-C pauses it)
serve: $(STAMP)
	PREFECT_API_URL=$${PREFECT_API_URL:-http://127.0.0.1:$(PREFECT_PORT)/api} $(BIN)/gongkai serve \
		--source $(SOURCE) --warehouse $(WAREHOUSE) --out $(OUT) $(REGISTRY_ARG) $(SERVE_ARGS)
