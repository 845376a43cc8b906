# Set-up and everyday targets. `make demo` and `make test` work on a fresh clone.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of torch that lies on these machines; an unpinned torch pulls
# several GB of CUDA packages.
TORCH_PIN := torch==2.13.0

.PHONY: venv demo test lint bench docs clean

venv: $(STAMP)

# Rebuilt only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_PIN)"
	$(PY) -m pip install -q -e ".[dev,neural]" "$(TORCH_PIN)"
	touch $(STAMP)

demo: venv
	$(PY) scripts/demo.py

test: venv
	$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

docs: venv
	$(PY) scripts/gen_cli_docs.py

bench: venv
	$(PY) bench/capture.py
	$(PY) bench/backfill.py $(or $(REPO),.)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
