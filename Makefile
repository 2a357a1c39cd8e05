# The two commands of the quick start: `make demo` and `make test`.
# Each bootstraps .venv on a fresh machine (Python 3.11+ and make are all it needs).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit interop bench docs clean

$(STAMP): pyproject.toml examples/helpdesk/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wireproof needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e examples/helpdesk
	@touch $(STAMP)

demo: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/helpdesk-demo

test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check src examples tests bench
	$(BIN)/ruff format --check src examples tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

# The official conformance suite, the MCP Inspector and Node 22, pinned in interop/package-lock.json
# (does nothing when already installed).
interop:
	bash interop/setup.sh

unit: $(STAMP) interop
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_writes.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis interop/node_modules
