# Two commands matter: `make run` (try the app locally) and `make test` (the whole suite on PostgreSQL and Redis).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test test-deep lint install install-dev services-check migrate bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Local run: SQLite and a file-based broker unless DATABASE_URL / CELERY_BROKER_URL say otherwise.
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  The clinic app is at http://127.0.0.1:$(PORT)/  (staff login: http://127.0.0.1:$(PORT)/accounts/login/)"
	@echo "  Press Ctrl-C to stop the web server, the Celery worker and beat."
	@echo ""
	exec $(BIN)/honcho -f Procfile.dev start

test: install-dev
	@scripts/check-test-system
	$(BIN)/pytest $(PYTEST_ARGS)

# The property tests only, with the "deep" Hypothesis profile (thousands of examples each, randomized): run it
# before resolving anything that touches availability or the screening rules.
test-deep: install-dev
	@scripts/check-test-system
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -m property $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=clinic.test_settings $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=clinic.test_settings $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

bench: install-dev
	DEBUG=0 $(BIN)/python bench/run_all.py

clean:
	rm -rf var/celery var/cache var/staticfiles var/screenshots
