# haltung: two commands set everything up on a fresh clone (Python >= 3.11 with pip).
#   make run   - create .venv, install haltung, run the default experiment, say how to open the UI
#   make test  - install the dev extras and run the test suite

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The CPU build of PyTorch for the `bert` extra (here a wheel on local disk; elsewhere add
# TORCH_INDEX=--index-url=https://download.pytorch.org/whl/cpu to avoid the large CUDA build).
TORCH_SPEC  ?= torch==2.13.0
TORCH_INDEX ?=

.PHONY: run test lint ui clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "haltung needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet $(TORCH_INDEX) "$(TORCH_SPEC)"
	$(BIN)/pip install --quiet -e ".[dev,bert]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/haltung-train
	@echo ""
	@echo "Open the MLflow UI with:  $(BIN)/haltung ui   (then browse to http://127.0.0.1:5000)"

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/pytest

ui: $(VENV)/.installed
	$(BIN)/haltung ui

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
