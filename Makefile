# Kenzen: `make run` serves the demo, `make test` runs every check. Both start from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KENZEN_HOME ?= var
export KENZEN_HOME

.PHONY: run test test-postgres lint lock clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# The worker delivers notices (signed .eml files under $KENZEN_HOME/mail without SMTP) next
# to the server, and stops with it.
run: $(VENV)/.installed
	$(BIN)/kenzen db upgrade
	$(BIN)/kenzen demo --if-empty
	$(BIN)/kenzen worker & trap 'kill $$!' EXIT INT TERM; $(BIN)/kenzen serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2

# The suite against KENZEN_DATABASE_URL (PostgreSQL); .ci/run starts one with scripts/postgres.
test-postgres: $(VENV)/.installed-dev
	KENZEN_REQUIRE_POSTGRES=1 $(BIN)/pytest -n 2

# Message ids the code and templates use go into both catalogues (new ones with empty text for
# the translator: the tests fail until both languages have it); the compiled .mo files are
# committed, so a fresh clone runs without this step.
LOCALES := src/kenzen/locale
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k t -k tn -o $(LOCALES)/messages.pot --sort-output \
		--no-location --omit-header --project Kenzen src/kenzen
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching \
		--omit-header --width 100
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

# Re-pin every dependency to the newest release (commit the new constraints.txt).
lock: $(BIN)/python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q '.[dev]'
	.lock-venv/bin/pip freeze --exclude kenzen > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
