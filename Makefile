# Agent Hub — common tasks. `make run` and `make test` are the README's two commands.
.PHONY: setup run test test-backend lint bench ui images

setup:
	./scripts/setup.sh

run: setup
	./scripts/run.sh

test: setup
	./scripts/test.sh

test-backend: setup
	.venv/bin/pytest tests

# ruff, mypy (baseline in scripts/mypy-baseline.txt), tsc and ESLint; `make test` runs them too.
lint: setup
	./scripts/lint.sh

bench:
	./bench/run.sh
