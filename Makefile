# The ReLU book. Two commands are the contract (see README.md):
#   make book   build the whole HTML book, executing every chapter
#   make test   the complete check: lint, library tests, chapter conventions,
#               workflow validation, the strict book build, its PDF edition and the
#               chapters run in Colab's package versions (colab-check)
#   make pdf    the PDF edition, _build/pdf/relu-book.pdf (see below)
# Both create .venv first and install into it the locked set they need (requirements/, with
# hashes): `make book` the book set (book.txt), `make test` and the other targets the test set
# (test.txt, which holds the book set), then torch (requirements/torch.txt) and relu_lib itself.
# `make lock` recompiles the locks. After each build, tools/reader_notebooks.py writes the reader
# notebooks (Colab, Binder, download) into the site.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# What each set's install leaves behind: a target that needs a set depends on its stamp.
STAMP      := $(VENV)/.installed-test
BOOK_STAMP := $(VENV)/.installed-book
BUILD  := _build
STRICT := -W -n --keep-going
CONSOLE := $(BUILD)/console.log
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# Notebook kernels start `python` from PATH: make it the venv's.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: book test lint unit strict-book pdf site-check venv sync bench clean colab-check lock

venv: $(STAMP)

$(VENV)/pyvenv.cfg:
	@$(PYTHON) -c 'import sys; sys.exit("The book needs Python 3.11 or newer; $(PYTHON) is " + sys.version.split()[0] + ". Run: make PYTHON=python3.11 ...") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# A lock holds every package with its hashes, so pip installs exactly those files (hash-checking
# mode). torch comes after it, pinned but not hashed (requirements/torch.txt says why); with
# PyTorch's CPU index in PIP_EXTRA_INDEX_URL it is the CPU build and needs nothing the lock lacks.
# relu_lib goes in editable, built by the locked setuptools.
define install_set
	$(PIP) -r requirements/$(1).txt
	$(PIP) -r requirements/torch.txt
	$(PIP) --no-deps --no-build-isolation -e .
	@touch $@
endef

$(BOOK_STAMP): requirements/book.txt requirements/torch.txt pyproject.toml | $(VENV)/pyvenv.cfg
	$(call install_set,book)

$(STAMP): requirements/test.txt requirements/torch.txt pyproject.toml | $(VENV)/pyvenv.cfg
	$(call install_set,test)

# The locks, from the input files (requirements/*.in) and pyproject.toml, by uv in its own venv
# (.venv-lock): universal (every platform's markers, CPython 3.11 and newer), with hashes, torch
# left out, extras kept (pip's hash-checking mode wants a requirement such as textual's
# markdown-it-py[linkify] pinned as written). uv keeps each package at the version the existing
# lock has; `make lock UPGRADE=1` lets them move. binder/requirements.txt is the chapters' set for
# Binder's platform alone.
UV_VENV := .venv-lock
UV      := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.9
LOCK    := $(UV) pip compile --quiet --python-version 3.11 --generate-hashes --no-strip-extras --excludes requirements/torch.txt \
           --index-url https://pypi.org/simple --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

lock: $(UV)
	$(LOCK) --universal pyproject.toml -o requirements/runtime.txt
	$(LOCK) --universal pyproject.toml requirements/book.in -o requirements/book.txt
	$(LOCK) --universal pyproject.toml requirements/test.in -o requirements/test.txt
	$(LOCK) --python-platform x86_64-manylinux_2_28 pyproject.toml requirements/chapters.in -o binder/requirements.txt

book: $(BOOK_STAMP)
	$(BIN)/jupyter-book build .
	$(BIN)/python tools/reader_notebooks.py
	@echo "The book is in $(BUILD)/html/index.html"

test: lint unit strict-book pdf site-check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check relu_lib tests tools
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/zizmor --offline --min-severity low .github/workflows/

unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 --ignore=tests/site

# From a clean build folder, so that every warning is reported (a rebuild is silent).
# The console (stdout and stderr) is shown and kept in $(CONSOLE), which tests/site/test_console.py
# reads: a clean build prints no line that looks like a warning or an error. pipefail: the
# recipe fails when the build does, not with tee's success.
strict-book: $(STAMP)
	rm -rf $(BUILD)
	mkdir -p $(BUILD)
	PYTHONUNBUFFERED=1 bash -o pipefail -c '$(BIN)/jupyter-book build . $(STRICT) 2>&1 | tee $(CONSOLE)'
	$(BIN)/python tools/reader_notebooks.py

# The PDF edition: tools/pdf.py prints the pages of $(BUILD)/html, in the order of _toc.yml, as one
# document in the Chromium of the browser checks (tools/chromium.py), under _static/print.css, and
# writes $(BUILD)/pdf/relu-book.pdf, copied to $(BUILD)/html/ for the site's "PDF edition" link.
# It prints the site as built: `book` first, which rebuilds only what changed (nothing, after
# strict-book in `make test`). About 2 minutes on 2 cores; tests/site/test_pdf.py checks it.
pdf: $(STAMP) book
	$(BIN)/python tools/pdf.py

site-check: $(STAMP)
	$(BIN)/python -m pytest tests/site

# Speed and memory against numpy, PyTorch and TensorFlow; not part of `make test`.
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/framework_findings.py
	$(BIN)/python benchmarks/kernels.py

# Mutation testing of relu_lib's numerical core (tools/mutation.py): mutmut in a temporary copy,
# each mutant against only the tests that reach it (narrowed for the functions every test reaches,
# tools/mutation_order.py); prints the score, every surviving mutant and the CPU time the mutants took.
# 19 minutes on 2 cores (measured 2026-12-02; longer while other work shares them); not part of `make test`.
.PHONY: mutation
mutation: $(STAMP)
	$(BIN)/python tools/mutation.py

sync: $(STAMP)
	$(BIN)/python tools/notebooks.py sync

# Colab's environment ----------------------------------------------------------------
# `make colab-check`, the last step of `make test`, runs every reader notebook in .venv-colab,
# which holds the versions Google publishes for Colab's runtime (tools/colab-requirements.txt), on
# this machine's Python: Colab runs 3.13. Building the venv downloads about 1.5 GB once; running the
# chapters takes about 6 minutes on 2 cores. Colab's torch is 2.11.0+cpu, which only PyTorch's own
# index serves: `make COLAB_TORCH=torch==2.11.0+cpu ...` picks it where PIP_EXTRA_INDEX_URL names
# that index (as CI's does); the default is the book's CPU torch.
COLAB_VENV  := .venv-colab
COLAB_STAMP := $(COLAB_VENV)/.installed
COLAB_TORCH ?= torch==2.13.0
READER      := $(BUILD)/html/_reader/chapters

$(COLAB_STAMP): tools/colab-requirements.txt
	rm -rf $(COLAB_VENV)
	$(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/colab-requirements.txt "$(COLAB_TORCH)"
	@touch $@

test: colab-check

# relu_lib goes in as the bootstrap cell installs it in Colab: without its dependencies. After
# `book` (a no-op rebuild after the strict build), so that the reader notebooks are this build's.
colab-check: book $(COLAB_STAMP)
	$(COLAB_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall .
	@# ipykernel 6's debugger otherwise warns, once per kernel, that Python's frozen modules may hide
	@# breakpoints: nothing here debugs, and debugpy documents this variable for exactly that case.
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(COLAB_VENV)/bin/python tools/run_notebooks.py --json $(BUILD)/colab-check.json $(READER)/*.ipynb

clean:
	rm -rf $(BUILD)

# Browser files and browser checks --------------------------------------------------
# The site serves MathJax itself: `npm ci` installs the
# versions pinned in package-lock.json into node_modules/ and tools/web_assets.py copies
# the files a page loads into _vendor/ (both git-ignored), which the book serves from
# _static/npm/. Without Node.js `make book` says so and the pages use the CDNs instead;
# `make NODE=none book` shows that fallback on a machine that has Node.js.
# `make test` needs Node.js (for those files and axe-core) and a Chromium: Debian's
# /usr/bin/chromium, or the browser RELU_BOOK_CHROMIUM names (tests/browser/).
NODE ?= node
NPM  ?= npm
HAVE_NODE := $(shell command -v $(NODE) >/dev/null 2>&1 && command -v $(NPM) >/dev/null 2>&1 && echo yes)
NODE_STAMP   := node_modules/.installed
ASSETS_STAMP := _vendor/.copied

.PHONY: assets browser-check

book: assets
strict-book: assets
test: browser-check

ifneq ($(filter test browser-check,$(MAKECMDGOALS)),)
ifneq ($(HAVE_NODE),yes)
$(error make test needs Node.js and npm (the pinned browser files and axe-core come from npm): install them, e.g. apt-get install nodejs npm)
endif
endif

ifeq ($(HAVE_NODE),yes)
assets: $(ASSETS_STAMP)
else
assets:
	@echo "Node.js/npm not found ($(NODE), $(NPM)): the pages will load MathJax from its CDN. Install Node.js to serve it from the site."
	rm -rf _vendor
endif

$(NODE_STAMP): package.json package-lock.json
	$(NPM) ci
	@touch $@

$(ASSETS_STAMP): $(NODE_STAMP) tools/web_assets.py | $(BOOK_STAMP)
	$(BIN)/python tools/web_assets.py
	@touch $@

# After the strict build: every page in headless Chromium, on the site served on loopback.
browser-check: $(STAMP) $(NODE_STAMP)
	$(BIN)/python -m pytest tests/browser
