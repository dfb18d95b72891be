# Waypoint: `make run` serves the demo with its worker, `make test` runs every test. Both set
# themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: install run test bench lint stack clean simulation

install: $(VENV)/.installed

# Debian's python3 needs python3-venv for `-m venv`; install it when we may (as root).
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed: installing python3-venv"; \
	  rm -rf $(VENV); apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# The web server and the worker together (Procfile.dev); Ctrl-C stops both.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "Serving Waypoint on http://127.0.0.1:$(PORT) with its worker (Ctrl-C stops both)"
	PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/honcho start -f Procfile.dev -p $(PORT)

test: install
	@test -x /usr/bin/chromium || echo "Chromium is not installed (apt-get install -y chromium): the browser tests will be skipped."
	$(BIN)/pytest

# GET targets and the floor are driven by wrk (apt-get installs it when missing, as root);
# each run's figures and verdicts are saved in bench/results/.
# 200 referrals through simulated weeks with the worker's jobs on a fake clock: the contact plan
# against the 14/7/3-day reminders alone (several minutes).
simulation: install
	WAYPOINT_SIMULATION=1 $(BIN)/pytest -q -s -p no:cacheprovider tests/functional/jobs/test_contact_simulation.py

bench: install
	@command -v wrk >/dev/null || { echo "wrk is missing: installing Debian's package"; \
	  apt-get install -y -qq wrk || { apt-get update -qq && apt-get install -y -qq wrk; }; }
	$(BIN)/python -m bench

# The production shape: two gunicorn instances, one worker, PostgreSQL and Redis, and a booking
# journey across both instances (needs PostgreSQL and Redis on 127.0.0.1).
stack: install
	$(BIN)/python scripts/stack.py

lint: install
	$(BIN)/ruff check booking tests bench scripts config.py wsgi.py
	$(BIN)/ruff format --check booking tests bench scripts config.py wsgi.py
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance .pytest_cache
