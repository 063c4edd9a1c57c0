# Two commands (see README): `make reports` and `make test`. Each bootstraps .venv if missing.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= data/sample
PERIOD ?= 2024/25

.PHONY: reports test lint bench sample clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

reports: $(STAMP)
	$(VENV)/bin/equity validate $(DATA)
	$(VENV)/bin/equity report $(DATA) --period $(PERIOD) --all --out reports

test: $(STAMP)
	$(PY) -m pytest -n 2

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

sample: $(STAMP)
	$(VENV)/bin/equity sample $(DATA) --seed 2024

clean:
	rm -rf $(VENV) reports/*.html
