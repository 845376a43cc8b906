# Set-up and everyday targets. `make demo` and `make test` work on a fresh clone.
#
# One virtualenv; each target installs what it uses (the extras of
# pyproject.toml, and its PEP 735 dependency groups) once, behind a stamp
# file that is redone only when pyproject.toml changes.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q
# The CPU build of torch that lies on these machines; an unpinned torch pulls
# several GB of CUDA packages. hookwise.embed.minilm.TORCH_PIN names the same.
TORCH_PIN := torch==2.13.0
# The tests marked `torch` (sentence-transformers, ~1 GB) skip without the
# torch extra, except under CI=true, where they run: CI installs it.
# Elsewhere `make test TORCH=1` runs them too.
TORCH ?= $(if $(filter true,$(CI)),1,)
# Line and branch coverage of src/hookwise. It is held at [tool.coverage.report]
# fail_under only where the whole suite runs (TORCH set, so CI): without the
# torch tests the torch runtime's code goes unmeasured, about one point.
# `make test COVERAGE= PYTEST_ARGS=tests/embed` for part of the suite.
COVERAGE ?= --cov=hookwise --cov-branch --cov-report=term:skip-covered \
	$(if $(TORCH),,--cov-fail-under=0)

.PHONY: venv demo test lint bench docs clean

# --group needs pip 25.1.
$(VENV)/.created:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade "pip>=25.1"
	touch $@

$(VENV)/.installed-core: pyproject.toml $(VENV)/.created
	$(PIP) -e .
	touch $@

$(VENV)/.installed-demo: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[neural,server]" --group demo
	touch $@

# The server extra: tests/server runs the aggregator (on SQLite, and on the
# PostgreSQL that .ci/run installs); the mcp extra: tests/mcp runs the real
# server against the SDK's own client.
$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[neural,server,mcp]" --group test --group browser
	touch $@

$(VENV)/.installed-torch: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[torch]" "$(TORCH_PIN)"
	touch $@

# mypy and import-linter follow the server's and the MCP server's imports
# into their extras (the web stack, the MCP SDK's types).
$(VENV)/.installed-lint: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[server,mcp]" --group lint
	touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[torch,mcp]" "$(TORCH_PIN)" --group bench
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.created
	$(PIP) -e ".[torch,server,mcp]" "$(TORCH_PIN)" --group dev
	touch $@

# Everything a contributor runs: every extra and every group.
venv: $(VENV)/.installed-dev

demo: $(VENV)/.installed-demo
	$(PY) scripts/demo.py

test: $(VENV)/.installed-test $(if $(TORCH),$(VENV)/.installed-torch)
	$(PY) -m pytest -q -p no:cacheprovider $(COVERAGE) $(PYTEST_ARGS)

lint: $(VENV)/.installed-lint
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

docs: $(VENV)/.installed-core
	$(PY) scripts/gen_cli_docs.py

bench: $(VENV)/.installed-bench
	$(PY) bench/capture.py
	$(PY) bench/backfill.py $(or $(REPO),.)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
