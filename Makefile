# Two commands (see README): `make reports` and `make test`. Each bootstraps .venv if missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Two stamps: `make reports` installs what rendering needs (the runtime dependencies);
# `make test` (and lint, bench) adds the developer extras (pytest, mypy, PySpark, playwright...).
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
DATA ?= data/sample
PERIOD ?= 2024/25

.PHONY: reports test lint bench sample clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(DEV): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(RUNTIME)

reports: $(RUNTIME)
	$(VENV)/bin/equity validate $(DATA)
	$(VENV)/bin/equity report $(DATA) --period $(PERIOD) --all --out reports

test: $(DEV)
	$(PY) -m pytest -n 2

lint: $(DEV)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(DEV)
	$(PY) benchmarks/run_all.py

sample: $(RUNTIME)
	$(VENV)/bin/equity sample $(DATA) --seed 2024

clean:
	rm -rf $(VENV) reports/*.html
