# Nianbao Archive — `make demo` sets everything up and runs the main job; `make test` runs the checks.

# Python 3.11 (or python3, if that is 3.11 or 3.12).
PYTHON ?= $(shell for p in python3.11 python3; do \
	  $$p -c 'import sys; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' 2>/dev/null \
	  && { command -v $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LINT_PATHS := $(wildcard extract nianbao crawler archive tests bench)
TYPED_PATHS := extract archive crawler nianbao
LOCK_VENV  := build/lock-venv
PYTEST_ARGS ?=

.PHONY: setup system demo test test-fast lint bench lock clean

setup: system $(STAMP)

# Debian packages (LibreOffice, Chromium, a CJK font): installed with apt-get when missing,
# a quick no-op otherwise. SKIP_SYSTEM_PACKAGES=1 skips it on machines you do not administer.
system:
	@if [ -n "$(SKIP_SYSTEM_PACKAGES)" ]; then echo "system packages: skipped"; \
	  else bash scripts/system-packages.sh; fi

# Rebuilt only when the lock or pyproject.toml changes.
$(STAMP): requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: need python3.11 (or python3 at 3.11/3.12) on PATH" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

demo: setup
	$(BIN)/nianbao demo

# pytest's exit 5 means it collected no tests: that is a failure, and it says so.
PYTEST = @rc=0; $(BIN)/python -m pytest $(1) || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "FAILED: pytest collected no tests (exit 5)" >&2; fi; \
	  exit $$rc

# Everything, on two workers (pytest-xdist; the suite keeps no state between tests that two
# processes could share: temporary folders, free ports, one LibreOffice profile per conversion).
# loadgroup: modules marked xdist_group (the wheel's venv, the fixture-portal crawl) stay on one
# worker, so their expensive module fixtures are made once, not once per worker.
test: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy $(TYPED_PATHS)
	@echo "$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)"
	$(call PYTEST,-n 2 --dist loadgroup $(PYTEST_ARGS))

# The loop while working: no end-to-end tests (loopback crawls, Chromium, LibreOffice, OCR, the wheel).
test-fast: setup
	$(BIN)/ruff check $(LINT_PATHS)
	@echo "$(BIN)/python -m pytest -m 'not e2e' $(PYTEST_ARGS)"
	$(call PYTEST,-m 'not e2e' $(PYTEST_ARGS))

# The code is laid out by hand (aligned continuations, 120 columns), not by `ruff format`: lint is
# ruff's rules plus mypy.
lint: setup
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy $(TYPED_PATHS)

bench: setup
	@set -e; for f in bench/*.py; do \
	  [ -e "$$f" ] || { echo "no bench/*.py yet"; break; }; \
	  echo "== $$f"; $(BIN)/python "$$f"; done

# Regenerate requirements.lock: install pyproject's runtime + dev deps into a
# throwaway venv (pip resolves them) and freeze the result.
lock:
	@test -n "$(PYTHON)" || { echo "error: need python3.11 (or python3 at 3.11/3.12) on PATH" >&2; exit 1; }
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $(LOCK_VENV)/requirements.in
	$(LOCK_VENV)/bin/python -m pip install --quiet -r $(LOCK_VENV)/requirements.in
	{ echo "# Exact pins for pyproject.toml's dependencies + [dev] extras and everything they pull in."; \
	  echo "# Made by \`make lock\`: pip resolved them into a fresh venv, then \`pip freeze\`."; \
	  echo "# Python $$($(LOCK_VENV)/bin/python -c 'import platform; print(platform.python_version(), platform.system(), platform.machine())'), pip $$($(LOCK_VENV)/bin/python -m pip --version | cut -d' ' -f2), $$(date -u +%Y-%m-%d)."; \
	  echo "# Do not edit by hand: change pyproject.toml and run \`make lock\`."; \
	  $(LOCK_VENV)/bin/python -m pip freeze; } > requirements.lock
	rm -rf $(LOCK_VENV)
	@echo "requirements.lock: $$(grep -c '==' requirements.lock) pins"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
