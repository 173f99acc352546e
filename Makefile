# The two commands: `make run` and `make test`. Each sets up what it needs on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test test-fast reliability chromium demo bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m lib.ui_server --server.port $(PORT)

# One test worker per core; a test file stays on one worker, so its fixtures are built once.
PARALLEL := -n auto --dist loadfile

# Everything: unit, integration, AppTest and the real-browser suite.
test: $(BIN)/.installed chromium
	$(BIN)/python -m pytest $(PARALLEL)

# Without the browser suite, for a quick loop while editing.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest $(PARALLEL) -m "not e2e"

# The reliability suite at full strength: the crash test kills its writer 100 times, not 5.
reliability: $(BIN)/.installed
	ACCOUNTDESK_CRASH_KILLS=$${ACCOUNTDESK_CRASH_KILLS:-100} $(BIN)/python -m pytest tests/reliability

# Benchmarks, on demand only (never part of `make test`): the large portfolio (built once, cached
# in bench/.cache), page latency beside the bare-Streamlit floor, memory, 20 sessions at once, and
# the import ratios. Figures go by hand into bench/RESULTS.md. About half an hour on 2 cores.
bench: $(BIN)/.installed chromium
	$(BIN)/python bench/large.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/importing.py --repeat 3

chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Chromium for the browser tests"; \
			$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "Chromium is missing at $(CHROMIUM) and apt-get is not available: install it, or set CHROMIUM=/path/to/chromium"; exit 1; \
		fi; \
	fi

demo: $(BIN)/.installed
	$(BIN)/python -m lib.demo

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
