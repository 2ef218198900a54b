# Minyi: `make run` serves the site with demo data; `make test` runs the whole suite on SQLite and PostgreSQL.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export FLASK_APP := app
# Absolute links (feeds, API, e-mails, exports) name the address `make run` serves; docs/deploy.md sets the real one.
export FLASK_SITE_URL ?= http://127.0.0.1:$(PORT)/

.PHONY: run test lint translations babel-extract serve-prepare clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/activate requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.runtime
	$(BIN)/pybabel -q compile -d translations

## Extract new strings into the catalog (for developers adding text); babel.cfg names the keywords.
babel-extract: $(VENV)/.runtime
	$(BIN)/pybabel -q extract -F babel.cfg -o translations/messages.pot --ignore-dirs=".venv tests bench migrations" .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations --no-fuzzy-matching

serve-prepare: $(VENV)/.runtime translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load-if-empty

run: serve-prepare
	@echo
	@echo "Minyi is starting on http://127.0.0.1:$(PORT)/ and http://[::1]:$(PORT)/ (with its task worker: e-mail, scheduled duties)"
	@echo "Demo staff accounts (role, e-mail, password), log in at /login:"
	@$(BIN)/flask demo accounts
	@echo
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.dev translations
	@scripts/ensure-chromium
	@scripts/ensure-fonts
	$(MAKE) --no-print-directory lint
	@scripts/run-tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
