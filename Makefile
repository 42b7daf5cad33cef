# Enishi — the two commands of the README, and a few more for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8000
export ENISHI_DEMO_PASSWORD ?= enishi-demo

.PHONY: run test lint check bench lock messages clean help

help:
	@echo "make run    install, prepare the demo database, start web + worker on http://127.0.0.1:$(PORT)"
	@echo "make test   install test tools, run ruff, mypy, Django checks and the whole pytest suite"
	@echo "make bench  run the benchmarks (ONLY=name1,name2 to pick), write bench/results.json"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit("Enishi needs Python >= 3.11" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/activate requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	@echo ""
	@echo "  Enishi is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password: $(ENISHI_DEMO_PASSWORD)):"
	@echo "    admin@demo.example  hr@demo.example  editor@demo.example  analyst@demo.example"
	@echo "    coordinator@demo.example  supporter@demo.example  alumni1@demo.example … alumni5@demo.example"
	@echo "    alumni1@other.example (a member of the second network, 'other')"
	@echo "  Operator admin: http://127.0.0.1:$(PORT)/operator/ (admin@demo.example)"
	@echo ""
	DEBUG=1 PORT=$(PORT) SITE_URL=http://127.0.0.1:$(PORT) PYTHONUNBUFFERED=1 $(BIN)/honcho -f Procfile.dev start

test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	SECRET_KEY=check $(BIN)/mypy enishi
	SECRET_KEY=check $(PY) manage.py check --fail-level WARNING
	SECRET_KEY=check $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev
	$(PY) bench/run.py $(if $(ONLY),--only $(ONLY),)

# Re-pin dependencies after editing requirements*.in.
lock: $(VENV)/.dev
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --strip-extras --no-header --allow-unsafe -o requirements.txt requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-header --allow-unsafe -o requirements-dev.txt requirements-dev.in
	sed -i '/^--extra-index-url\|^--find-links\|^--index-url/d' requirements.txt requirements-dev.txt

# Extract and compile translations (needs GNU gettext; the compiled .mo files are committed).
messages: $(VENV)/.dev
	cd enishi && ../$(PY) ../manage.py makemessages -l ja -l en --no-obsolete --ignore='tests/*'
	cd enishi && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
