# gongkai: `make run` builds the warehouse and reports from the bundled data; `make test` tests.
# Both create .venv (python3 -m venv) and install the project into it when needed.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.gongkai-installed

SOURCE ?= data/raw
WAREHOUSE ?= warehouse/gongkai.duckdb
OUT ?= out
RUN_ARGS ?=
PYTEST_ARGS ?=

.PHONY: run test install marts bench lint

run: $(STAMP)
	$(BIN)/gongkai run --source $(SOURCE) --warehouse $(WAREHOUSE) --out $(OUT) $(RUN_ARGS)
	@echo "warehouse: $(WAREHOUSE) (Parquet in $(dir $(WAREHOUSE))parquet/); reports: $(OUT)/"

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# regenerate the wide views sql/marts/v_t*.sql and their column list in docs/warehouse.md
marts: $(STAMP)
	$(BIN)/python tools/codegen.py

bench: $(STAMP)
	$(BIN)/python bench/bench_flow.py

lint: $(STAMP)
	$(BIN)/ruff check .
