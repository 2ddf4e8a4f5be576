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

lint:
	.venv/bin/ruff check src tests && .venv/bin/ruff format --check src tests

bench:
	./bench/run.sh
