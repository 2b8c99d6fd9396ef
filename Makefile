# Kenzen: `make run` serves the demo, `make test` runs every check. Both start from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KENZEN_HOME ?= var
export KENZEN_HOME

.PHONY: run test test-slow test-clock test-spark test-postgres lint lock clean translations cel-parser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[dev,spark,s3]'
	touch $@

# The worker evaluates sellers whose facts changed (and every seller at each marketplace's
# midnight), generates SP-API reports and delivers notices (signed .eml files under
# $KENZEN_HOME/mail without SMTP) next to the server, and stops with it.
run: $(VENV)/.installed
	$(BIN)/kenzen events migrate
	$(BIN)/kenzen demo --if-empty
	$(BIN)/kenzen worker & trap 'kill $$!' EXIT INT TERM; $(BIN)/kenzen serve

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The fast lane; the slowest tests are listed at the end.
PYTEST := $(BIN)/pytest -n 2 --durations=15
test: lint
	$(PYTEST) -m "not slow and not spark"

# The slow lane: end-to-end checks (the browser, the full demo, commands as real processes).
test-slow: $(VENV)/.installed-dev
	$(PYTEST) -m "slow and not spark"

# The Spark tests (a JVM: Java 17, scripts/java installs it) in one process, so that they
# share one Spark session: parity with the embedded engine, and a standalone cluster.
test-spark: $(VENV)/.installed-dev
	$(BIN)/pytest -m spark --durations=5

# The whole suite started at five hours of the Japanese day (time-machine moves every clock
# and sets TZ): before and after AHS hours, around midnight and the UTC date change. The
# fuzzing (no clock in it, minutes long) runs once, in the slow lane.
CLOCKS := 00:30 08:59 16:59 17:01 23:30
test-clock: $(VENV)/.installed-dev
	for at in $(CLOCKS); do $(BIN)/pytest -n 2 -q -m "not spark and not fuzz" --clock "$$at Asia/Tokyo" || exit 1; done

# The suite against KENZEN_DATABASE_URL (PostgreSQL); .ci/run starts one with scripts/postgres.
test-postgres: $(VENV)/.installed-dev
	KENZEN_REQUIRE_POSTGRES=1 $(PYTEST) -m "not spark"

# Message ids the code and templates use go into both catalogues (new ones with empty text for
# the translator: the tests fail until both languages have it); the compiled .mo files are
# committed, so a fresh clone runs without this step.
LOCALES := src/kenzen/locale
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k t -k tn -k Message -o $(LOCALES)/messages.pot \
		--sort-output --no-location --project Kenzen src/kenzen
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching \
		--width 100
	$(BIN)/pybabel compile -d $(LOCALES) --statistics

# CEL's parser, saved so that a process loads it instead of building it (about 0.1 s of CPU
# each time a policy is loaded); run it after upgrading Lark or cel-python
# (tests/policy/test_cel.py fails until then).
cel-parser: $(VENV)/.installed
	$(BIN)/python -c "from kenzen.policy.cel import save_parser; save_parser()"

# Re-pin every dependency to the newest release (commit the new constraints.txt).
lock: $(BIN)/python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install -q '.[dev,spark,s3]'
	.lock-venv/bin/pip freeze --exclude kenzen > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
