# Targets set up the environment and run the pipeline; `make help` lists them.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help setup process reports bench test lint clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

STAMP := $(VENV)/.installed

# Reinstalled when pyproject.toml changes, so an existing .venv picks up new dependencies.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install the package with test tools

process: setup  ## extract and clean every document of data/raw into data/processed
	$(BIN)/python -m helpers process --raw-dir data/raw --out-dir data/processed --workbook

reports: setup  ## process data/raw if it changed, then build reports/*.html (one per bureau, comparison, index)
	$(BIN)/python -m helpers reports --raw-dir data/raw --processed-dir data/processed --out-dir reports --workbook

bench: setup  ## time the reports against a naive baseline, processing against its floor (200 and 1000 documents), PDF extraction against pdfplumber, the parent search (1k-200k rows)
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/bench_scale.py
	$(BIN)/python bench/bench_pdf.py
	$(BIN)/python bench/bench_parents.py

test: setup  ## run the test suite
	$(BIN)/python -m pytest

lint: setup  ## ruff and the notebook-output check, as the pre-commit hooks run them (CI runs it)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pre-commit run --all-files --show-diff-on-failure

clean:  ## remove build products (data/processed, reports)
	find data/processed reports -type f ! -name .gitkeep -delete
