# Innenstadt-Rallye: the two commands of the README and what they build on.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 5000
FLASK  := $(BIN)/flask --app wsgi

.PHONY: install run test lint types pytest bench profile messages clean

# The English and Turkish catalogues: the .po files are edited, the compiled .mo files
# are committed too, so that a plain `pip install .` (docs/deploy.md) carries them;
# tests/test_translations.py fails when a .mo no longer says what its .po says, and
# `make install` (or `make messages`) compiles them again.
CATALOGUES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)

install: $(STAMP) $(CATALOGUES:.po=.mo)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,postgres,redis]'
	touch $(STAMP)

run: install
	$(FLASK) init-db
	FLASK_BASE_URL=$${FLASK_BASE_URL:-http://$(HOST):$(PORT)} $(FLASK) demo
	@echo "Die Rallye läuft auf http://$(HOST):$(PORT)/ (beenden mit Strg+C)"
	$(FLASK) run --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check .

types: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types pytest

bench: install
	$(BIN)/python bench/run.py

# Microseconds per request in process, without a server; PROFILE=scan_get (or
# stamp_post, card_get, api_card) adds a pyinstrument profile of that request.
profile: install
	$(BIN)/python bench/hotpath.py

# After changing a user-facing string: extract every marked string (babel.cfg says
# where), add new ones to both catalogues, drop the gone ones, compile. Then translate
# what is new (tests/test_translations.py lists it).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-wrap --sort-by-file \
		--project innenstadt-rallye -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations \
		--no-wrap --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d app/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

# Lighthouse (mobile) on the home, a scan and the card page of a server the script starts
# itself; reports in bench/out/lighthouse/. Needs npm and Debian's chromium.
.PHONY: lighthouse
lighthouse: install
	bash bench/lighthouse.sh
