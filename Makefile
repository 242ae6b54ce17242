# Two commands for a newcomer: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Socket.IO accepts only this origin, so it must match where the server listens.
export BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test demo lint js-check format serve-check clean translations compile-translations

# Reinstall only when a requirements file changes (the stamp files record the last install).
$(VENV)/.installed-runtime: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed-runtime
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The browser's scripts (static/js) are ES modules served as they are; TypeScript only checks them (tsconfig.json).
# npm ci reinstalls node_modules only when package-lock.json changes (the stamp records the last install).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

js-check: node_modules/.installed
	node_modules/.bin/tsc --noEmit -p .
	node_modules/.bin/tsc --noEmit -p tsconfig.sw.json

run: $(VENV)/.installed-runtime compile-translations
	$(FLASK) db upgrade
	@$(FLASK) setup-link
	@echo "Demo community: run 'make demo' in another terminal (accounts are listed in README.md)."
	@echo "Serving Kring on http://$(HOST):$(PORT)/  (Ctrl+C stops)"
	exec $(BIN)/gunicorn --worker-class gevent --workers 1 --no-control-socket \
		--bind $(HOST):$(PORT) --access-logfile - --access-logformat '%(m)s %(U)s %(s)s %(M)sms' wsgi:app

demo: $(VENV)/.installed-runtime compile-translations
	$(FLASK) db upgrade
	$(FLASK) demo

# pytest-xdist: one worker per core (each with its own PostgreSQL database and live server); tests are dealt out
# one by one, except the modules listed in tests/conftest.py (ONE_WORKER_MODULES), which each stay on one worker.
# PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed-dev compile-translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory js-check
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory js-check

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Translations (docs/accessibility.md): the .po files are the source; the .mo files are built, never committed.
# `make translations` re-extracts every string into messages.pot and merges it into each language's .po.
translations: $(VENV)/.installed-runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Kring --copyright-holder "Kring contributors" -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

compile-translations: $(VENV)/.installed-runtime
	$(BIN)/pybabel compile -d translations

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache test-artifacts
