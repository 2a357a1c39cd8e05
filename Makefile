# The two commands of the quick start: `make demo` and `make test`.
# Each bootstraps .venv on a fresh machine (Python 3.11+ and make are all it needs); make test also
# installs the Debian packages the suite needs when they are missing (as root; else it says how).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test system-packages lint typecheck unit interop bench docs clean

$(STAMP): pyproject.toml examples/helpdesk/pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "wireproof needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e examples/helpdesk
	@touch $(STAMP)

demo: $(STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/helpdesk-demo

# system-packages first: a machine without them stops at once, before any other work.
test: system-packages lint typecheck unit

# The Debian packages the suite uses for real (postgresql, nginx, npm; python3-venv if needed): installed with apt-get
# when missing and make runs as root; otherwise make stops and prints the one command to run.
system-packages:
	@PYTHON=$(PYTHON) bash .ci/system-packages

lint: $(STAMP)
	$(BIN)/ruff check src examples tests bench harness
	$(BIN)/ruff format --check src examples tests bench harness

typecheck: $(STAMP)
	$(BIN)/mypy

# The official conformance suite, the MCP Inspector and Node 22, pinned in interop/package-lock.json
# (does nothing when already installed).
interop:
	bash interop/setup.sh

unit: $(STAMP) system-packages interop
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_core.py
	$(BIN)/python bench/bench_writes.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis interop/node_modules
