# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
DATA_DIR ?= samspill-data
PORT ?= 8000

.PHONY: run test lint bench i18n clean help

help:
	@echo "make run   - set up, load the demo study and serve http://127.0.0.1:$(PORT)"
	@echo "make test  - set up Chromium and PostgreSQL if missing, then run every test"
	@echo "make lint  - ruff, mypy and eslint"
	@echo "make bench - run the benchmarks in bench/"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# ESLint for the coding screen's JavaScript, from package-lock.json into ./node_modules.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

run: $(STAMP)
	$(BIN)/samspill demo --data-dir $(DATA_DIR)
	$(BIN)/samspill serve --data-dir $(DATA_DIR) --port $(PORT)

test: $(STAMP) $(NODE_STAMP)
	bash scripts/test.sh

lint: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	node_modules/.bin/eslint src/samspill/web/static tests/js

bench: $(STAMP)
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _ -o src/samspill/web/i18n/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i src/samspill/web/i18n/messages.pot -d src/samspill/web/i18n
	$(BIN)/pybabel extract -F reports-babel.cfg -k _ -k N_ -k ngettext:1,2 -o src/samspill/reports/i18n/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i src/samspill/reports/i18n/messages.pot -d src/samspill/reports/i18n

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
