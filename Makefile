# newsloom: two commands do all the set-up — `make demo` and `make test`.
# Python >= 3.12 is needed (the shipped embedding model's package requires it).
# The first candidate that really runs Python 3.12+ (pyenv shims exist for versions not selected).
PY_CANDIDATES := python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.13 python3
PYTHON ?= $(firstword $(foreach p,$(PY_CANDIDATES),$(shell $(p) -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && echo $(p))))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= demo.db

.PHONY: install demo test gate bench clean browser

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "newsloom needs Python 3.12 or newer: install it (e.g. 'pyenv install 3.12') or run 'make PYTHON=/path/to/python3.12'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench,ray]'
	touch $(STAMP)

demo: install
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).lock
	$(BIN)/newsloom --db $(DEMO_DB) ingest examples/corpus
	$(BIN)/newsloom --db $(DEMO_DB) stories
	@echo; echo "The largest story, compared across its outlets:"; echo
	$(BIN)/newsloom --db $(DEMO_DB) story $$($(BIN)/newsloom --db $(DEMO_DB) stories --json | $(BIN)/python -c "import json, sys; print(max(json.load(sys.stdin), key=lambda s: (s['articles'], -s['id']))['id'])")
	@echo; echo "Open it in the browser: $(BIN)/newsloom --db $(DEMO_DB) serve, then http://127.0.0.1:8000/"

browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "chromium could not be installed: the browser test will be skipped"

test: install browser
	$(BIN)/python -m pytest -q

gate: install
	# quality floors pinned in benchmarks/floors.json: fails when a figure falls below its floor
	$(BIN)/python benchmarks/gate.py

bench: install
	# the measuring scripts; benchmarks/fit_*.py refit the shipped models and are run by hand
	for b in ingest extraction copies clustering compare serve; do $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).lock
