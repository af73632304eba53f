# fayuan: `make run` serves the demo on http://127.0.0.1:8080, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WEB := client/web
STAMP := $(VENV)/.installed

.PHONY: run test bench assets venv clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

assets: $(WEB)/node_modules/.package-lock.json
	cd $(WEB) && npm run --silent build

run: venv assets
	$(BIN)/fayuan serve --migrate --demo

test: venv assets
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv assets
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/vendor
