# mnist-tutorial: `make execute` regenerates every notebook, `make test` checks everything.
# Both start from nothing but Python 3.11+ and make (and install what they need).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
KERNEL := mnist-tutorial
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL_FLAGS := --nbval --nbval-kernel-name $(KERNEL) --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install graphviz data execute test unit nbval lint format bench clean

help:
	@echo "make install   create .venv, install the package, its kernel and the data"
	@echo "make execute   re-run every notebook in place (regenerates committed outputs)"
	@echo "make test      unit tests + nbval on every notebook (what CI runs)"
	@echo "make lint      ruff check + format check"

install: $(STAMP) data

$(STAMP): pyproject.toml
	@command -v dot >/dev/null 2>&1 || $(MAKE) --no-print-directory graphviz
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --quiet pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) \
	    --display-name "Python (mnist-tutorial)" \
	    --env TF_CPP_MIN_LOG_LEVEL 3 --env PYTHONHASHSEED 0
	touch $(STAMP)

# keras-visualizer draws with Graphviz' `dot`.
graphviz:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (apt-get install graphviz)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
	    echo "Graphviz' dot is missing. Install it, then re-run make:"; \
	    echo "  sudo apt-get install graphviz   (Debian/Ubuntu)"; \
	    echo "  brew install graphviz           (macOS)"; \
	    echo "  conda install -c conda-forge graphviz"; \
	    exit 1; \
	fi

data: $(STAMP)
	$(BIN)/mnist-tutorial data

execute: install
	$(PY) scripts/execute_notebooks.py --kernel $(KERNEL) $(NOTEBOOKS)

unit: install
	$(PY) -m pytest tests -q

nbval: install
	$(PY) -m pytest $(NBVAL_FLAGS) notebooks -q

test: install
	$(PY) -m pytest tests -q
	$(PY) -m pytest $(NBVAL_FLAGS) notebooks -q
	$(MAKE) --no-print-directory site-test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(PY) benchmarks/train_speed.py
	$(PY) benchmarks/predict_latency.py

# ---------------------------------------------------------------- the course as a website
.PHONY: site site-test chromium
SITE_STAMP := $(VENV)/.site-installed

# build/site: the committed notebooks (not re-run), the glossary, the results, draw-a-digit.
site: $(SITE_STAMP) data
	$(PY) scripts/build_site.py

$(SITE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,site]'
	touch $(SITE_STAMP)

# Debian's Chromium for the browser tests; Playwright drives it (no browser download).
chromium:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then \
	    :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (apt-get install chromium)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
	        >/dev/null) || echo "Chromium could not be installed: browser tests will skip"; \
	else \
	    echo "No Chromium, and not root to install it: browser tests will skip."; \
	    echo "  sudo apt-get install chromium   (Debian/Ubuntu), then re-run make"; \
	fi

# The built site in headless Chromium; screenshots in build/site-screenshots.
site-test: site chromium
	$(PY) -m pytest browser_tests -q

clean:
	rm -rf $(VENV) models .pytest_cache .ruff_cache
