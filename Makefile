# Two commands: `make run` sets up and serves; `make test` sets up and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint lock messages bench clean

run: $(VENV)/.installed
	$(BIN)/tipline serve

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=tipline.settings_test $(BIN)/tipline manage makemigrations --check --dry-run
	$(BIN)/python -m pytest
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "== the tests that reach the database, on PostgreSQL =="; \
		scripts/test-postgres $(BIN)/python -m pytest -m database; \
	else \
		echo "PostgreSQL is not installed: the PostgreSQL pass was not run"; \
		echo "(apt-get install postgresql; .ci/run does this)"; \
	fi

# Benchmarks: each script writes bench/results/NAME.md; collect.py joins them.
# Needs wrk and PostgreSQL from Debian; installed here when running as root.
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || \
		{ apt-get update -qq && apt-get install -y -qq wrk postgresql >/dev/null; }
	$(BIN)/python -m bench.attachments
	$(BIN)/python -m bench.sandbox
	@if git rev-parse -q --verify 87ca126^{commit} >/dev/null 2>&1; then \
		$(BIN)/python -m bench.before 87ca126; \
	else \
		echo "no git history: bench.before (uploads against 87ca126) was not run"; \
	fi
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		scripts/test-postgres $(BIN)/python -m bench.submissions; \
	else \
		echo "PostgreSQL is not installed: measuring SQLite only"; \
		$(BIN)/python -m bench.submissions; \
	fi
	$(BIN)/python -m bench.duplicates
	$(BIN)/python -m bench.cases
	$(BIN)/python -m bench.public_pages
	$(BIN)/python -m bench.collect

lint: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Tipline needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Installs exactly what the lock files name, checked against their hashes.
$(VENV)/.installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/base.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-test: requirements/test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/test.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

# Re-resolve the lock files after changing dependencies in pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q pyproject.toml --python-version 3.11 --generate-hashes \
		-o requirements/base.txt
	$(BIN)/uv pip compile -q pyproject.toml --extra test --python-version 3.11 \
		--generate-hashes -o requirements/test.txt

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: $(VENV)/.installed
	cd tipline && ../$(BIN)/tipline manage makemessages -l zh_Hans --no-location \
		--ignore "tests/*"
	cd tipline && ../$(BIN)/tipline manage compilemessages

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .import_linter_cache .mypy_cache
