# fayuan: `make run` serves the demo on http://127.0.0.1:8080, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB := client/web
STAMP := $(VENV)/.installed
# The exact versions (with hashes) that `make test`, CI and the Dockerfile install; pyproject.toml
# keeps the ranges. After changing a dependency in pyproject.toml, run `make lock` and commit both.
TEST_LOCK := requirements/test.lock
RUNTIME_LOCK := requirements/runtime.lock
UV_VERSION := 0.13.9
LOCK_TOOLS := .venv-lock
UV_COMPILE := $(LOCK_TOOLS)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --no-emit-index-url --custom-compile-command "make lock"

.PHONY: run test bench assets venv lock clean

$(STAMP): $(TEST_LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check >/dev/null || { $(BIN)/pip check; echo "$(TEST_LOCK) is behind pyproject.toml: run make lock" >&2; exit 1; }
	touch $(STAMP)

venv: $(STAMP)

# Versions already in a lock are kept where pyproject.toml still allows them;
# `make lock LOCK_ARGS=--upgrade` moves everything to the newest allowed release.
lock:
	test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/pip install --quiet uv==$(UV_VERSION); }
	$(UV_COMPILE) --extra test $(LOCK_ARGS) -o $(TEST_LOCK)
	$(UV_COMPILE) --constraint $(TEST_LOCK) $(LOCK_ARGS) -o $(RUNTIME_LOCK)

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

assets: $(WEB)/node_modules/.package-lock.json
	cd $(WEB) && npm run --silent build

run: venv assets
	$(BIN)/fayuan serve --migrate --demo --local-janus

test: venv assets
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv assets
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LOCK_TOOLS) $(WEB)/node_modules $(WEB)/vendor
