# Everything a newcomer needs: `make run` starts the bot, `make test` runs the tests.
# Both build the virtual environment on first use from the lock file, so a fresh machine
# needs only Python 3.11+ and make.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run run-http test lint format typecheck bench migrate doctor clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: install
	$(BIN)/apo serve

run-http: install
	$(BIN)/apo serve --http --port $${PORT:-3000}

# pytest-xdist: two workers (one per core of a small CI machine) that steal work from each
# other, so a few slow CLI tests do not leave one worker idle; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check bot tests
	$(BIN)/ruff format --check bot tests
	$(BIN)/mypy bot
	$(BIN)/lint-imports --no-logo
	$(BIN)/hadolint deploy/Dockerfile

format: install
	$(BIN)/ruff format bot tests
	$(BIN)/ruff check --fix bot tests

# Every benchmark (< 10 min on 2 cores), written to docs/benchmarks.md; BENCH_ARGS=--quick
# for a shorter, partial run. Each also runs alone: python -m tests.bench.<name>.
bench: install
	$(BIN)/python -m tests.bench.run_all $(BENCH_ARGS)

migrate: install
	$(BIN)/apo migrate

doctor: install
	$(BIN)/apo doctor

# Regenerates the lock file from pyproject.toml (needs network access to PyPI).
lock:
	$(PYTHON) -m pip install --quiet uv && $(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
