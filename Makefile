# The ReLU book. Two commands are the contract (see README.md):
#   make book   build the whole HTML book, executing every chapter
#   make test   the complete check: lint, library tests, chapter conventions,
#               workflow validation and the strict book build
# Both create .venv and install the pinned requirements.txt first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BUILD  := _build
STRICT := -W -n --keep-going

# Notebook kernels start `python` from PATH: make it the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: book test lint unit strict-book site-check venv sync clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("The book needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build .
	@echo "The book is in $(BUILD)/html/index.html"

test: lint unit strict-book site-check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check relu_lib tests tools
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --min-severity low .github/workflows/

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --ignore=tests/site

# From a clean build folder, so that every warning is reported (a rebuild is silent).
strict-book: $(STAMP)
	rm -rf $(BUILD)
	$(BIN)/jupyter-book build . $(STRICT)

site-check: $(STAMP)
	$(BIN)/python -m pytest tests/site

sync: $(STAMP)
	$(BIN)/python tools/notebooks.py sync

clean:
	rm -rf $(BUILD)
