# mnist-tutorial: `make execute` regenerates every notebook, `make test` checks everything.
# Both start from nothing but Python 3.11+ and make (and install what they need).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
# nbval compares training-dependent numbers and figures within the tolerances of
# rig/nbval_tolerance.py (loaded as a pytest plugin; run from the repository root).
# Each notebook runs in the plain `python3` kernel of .venv, as in any Jupyter: its first cell
# chooses Keras' backend.
NBVAL_FLAGS := -p rig.nbval_tolerance --nbval
# Prints each notebook's wall time at the end of an nbval run.
NBVAL_TIMING := -p rig.notebook_timing
# Unit tests run in parallel processes (pytest-xdist), one test file per process at a time:
# most of their time is single-threaded (imports, plotting, subprocesses).
UNIT_FLAGS := -q -n auto --maxprocesses 4 --dist loadfile
# Beside nbval (`make test`), one process: nbval's kernel keeps a core busy, and a second unit
# worker only slowed both (reference machine, `make -j2 unit nbval` in a fresh clone: unit
# 181 s and nbval 321 s with two workers, 159 s and 306 s with one).
UNIT_FLAGS_BESIDE_NBVAL := -q -n 1 --dist loadfile

# The environment is installed from a lock (every package, transitive ones included, at one
# version with its hashes), made by uv from pyproject.toml with `make lock`. uv itself is
# installed, hash-checked, from its own small lock into $(UV_DIR), with pip.
LOCK       := requirements.lock
UV_LOCK    := requirements-uv.lock
UV_VERSION := 0.13.9
UV_DIR     := .uv
UV_BIN     := $(UV_DIR)/bin/uv
# Gives uv the index, mirror, proxy and certificate that pip is configured with here (uv
# reads no pip configuration); `make lock` takes only pip's main index (see the script).
UV_ENV     = eval "$$($(PYTHON) scripts/pip_to_uv.py --export)"
UV_LOCK_ENV = eval "$$($(PYTHON) scripts/pip_to_uv.py --primary-index-only --export)"
LOCK_FLAGS ?=
# `make test-latest` installs the newest releases instead of the lock, in its own venv.
LATEST ?=
# uv compiles the bytecode at install time, as pip does: without it, where
# PYTHONDONTWRITEBYTECODE is set, every process would compile TensorFlow anew (3x its import).

# $(call timed,LABEL,COMMAND): run COMMAND, then print how long it took (and keep its status).
timed = t0=$$(date +%s.%N); $(2); rc=$$?; \
	awk -v t0=$$t0 -v t1=$$(date +%s.%N) 'BEGIN { printf "== $(1): %.1f s\n", t1 - t0 }'; \
	exit $$rc

.PHONY: help install data execute envelope test test-latest unit nbval lint format bench \
	handout lock clean

help:
	@echo "Students (see the README for the same without make):"
	@echo "  make install      create .venv, install the package and the data"
	@echo "  make handout      student copy: notebooks without solutions or outputs, build/handout"
	@echo "Instructors and CI:"
	@echo "  make execute      re-run every notebook in place (NOTEBOOKS=... for some); refresh the envelope"
	@echo "  make test         unit tests + nbval on every notebook + site and browser tests (CI)"
	@echo "  make unit         the unit tests only"
	@echo "  make nbval        nbval on every notebook only"
	@echo "  make envelope     re-run the notebooks for 8 training seeds; write rig/seed_envelope.json"
	@echo "  make site         the course as a website in build/site (EDITION=student: no solutions)"
	@echo "  make site-test    the site in headless Chromium: axe-core, the draw page, the PDF"
	@echo "  make system-packages  as root: Debian's Node.js, npm, Chromium, poppler-utils (site tests)"
	@echo "  make pdf          the course as one PDF, build/mnist-tutorial.pdf (EDITION=student too)"
	@echo "  make test-latest  the same tests against the newest releases (no lock), in .venv-latest"
	@echo "  make lock         refresh requirements.lock from pyproject.toml"
	@echo "  make lint         ruff check + format check    make format   ruff's fixes"
	@echo "  make bench        the speed benchmarks (benchmarks/)"
	@echo "  make clean        remove .venv, .uv, models and caches"

install: $(STAMP) data

$(UV_BIN): $(UV_LOCK)
	@rm -rf $(UV_DIR)
	@if $(PYTHON) -m pip --version >/dev/null 2>&1; then \
	    PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --quiet --disable-pip-version-check --no-deps \
	        --require-hashes --target $(UV_DIR) -r $(UV_LOCK); \
	else \
	    $(PYTHON) -m venv $(UV_DIR) && \
	    $(UV_DIR)/bin/python -m pip install --quiet --no-deps --require-hashes -r $(UV_LOCK); \
	fi
	@$(UV_BIN) --version

$(STAMP): pyproject.toml $(LOCK) | $(UV_BIN)
	@$(call timed,install,set -e; $(UV_ENV); \
	test -x $(PY) || $(UV_BIN) venv --quiet --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')" $(VENV); \
	if [ -n "$(LATEST)" ]; then \
	    echo "Installing the newest releases (no lock) into $(VENV)"; \
	    $(UV_BIN) pip install --quiet --python $(PY) --compile-bytecode --upgrade --refresh \
	        -e '.[dev]'; \
	else \
	    echo "Installing $(LOCK) into $(VENV) (hash-checked)"; \
	    $(UV_BIN) pip sync --quiet --python $(PY) --compile-bytecode --require-hashes $(LOCK); \
	    $(UV_BIN) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .; \
	fi; \
	touch $(STAMP))

# Refresh the locks from pyproject.toml (every extra, and the build system's requirements,
# for Python 3.11 and up on every platform). Versions already locked are kept where they
# still fit; `make lock LOCK_FLAGS=--upgrade` moves everything to the newest releases.
lock: $(UV_BIN)
	$(UV_LOCK_ENV); \
	$(PYTHON) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))' \
	    | $(UV_BIN) pip compile --quiet pyproject.toml - --all-extras --universal \
	        --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
	        $(LOCK_FLAGS) -o $(LOCK) && \
	echo 'uv==$(UV_VERSION)' | $(UV_BIN) pip compile --quiet - --universal \
	    --python-version 3.11 --generate-hashes --custom-compile-command "make lock" -o $(UV_LOCK)
	$(PYTHON) scripts/pin_environment.py

data: $(STAMP)
	@$(call timed,data,$(BIN)/mnist-tutorial data)

# Every output regenerated. With all notebooks (the default), saved models are removed first,
# so no output depends on what an earlier run left in models/ (each model is trained where the
# course trains it); `make execute NOTEBOOKS=notebooks/06_better_training.ipynb` re-runs one
# notebook and keeps models/. Afterwards the seed envelope takes the new numbers as its
# committed values (the replaced ones stay as one more measured run), so `make test` passes
# on this machine too; a number outside the measured spread is printed with what to run.
ALL_NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
execute: install
	@$(PY) -m rig.seed_envelope keep $(notdir $(NOTEBOOKS))
	@if [ "$(NOTEBOOKS)" = "$(ALL_NOTEBOOKS)" ]; then \
	    echo "make execute: removing models/ (derived files) so every model is trained afresh"; \
	    rm -rf models; fi
	@$(call timed,execute,$(PY) scripts/execute_notebooks.py $(NOTEBOOKS))
	@$(PY) -m rig.seed_envelope refresh $(notdir $(NOTEBOOKS))

# The seed envelope, rig/seed_envelope.json: every notebook re-run once per training seed
# (8 seeds, and the CNN once on JAX) in build/envelope/<run>/, the committed notebooks left as
# they are, then each training-dependent number's values written (see rig/seed_envelope.py).
# `make envelope NOTEBOOKS=notebooks/10_calibration_and_rejection.ipynb` re-runs one notebook,
# reusing the models that each seed's earlier notebooks trained, and replaces only its entries.
# Slow, and never part of
# `make test`, which only reads the file.
envelope: install
	@$(call timed,envelope runs,$(PY) -m rig.seed_envelope run $(notdir $(NOTEBOOKS)))
	@$(call timed,envelope,$(PY) -m rig.seed_envelope collect $(notdir $(NOTEBOOKS)))

unit: install
	@$(call timed,unit tests,$(PY) -m pytest $(UNIT_FLAGS) tests)

nbval: install
	@$(call timed,nbval,$(PY) -m pytest $(NBVAL_FLAGS) $(NBVAL_TIMING) notebooks -q)

# The unit tests and nbval run side by side (nbval's training keeps about one core busy, the
# unit tests fill the other; each stage's output is printed whole when it ends), then the site
# and browser tests, which export the models that nbval trained.
test: install
	@$(call timed,unit tests and nbval,$(MAKE) --no-print-directory -j2 --output-sync=target unit nbval \
	    UNIT_FLAGS="$(UNIT_FLAGS_BESIDE_NBVAL)")
	@$(call timed,site and browser tests,$(MAKE) --no-print-directory site-test)

# The same tests against the newest releases of everything (no lock), in $(VENV)-latest, so
# that an upcoming break shows before the lock moves.
test-latest:
	rm -f $(VENV)-latest/.installed
	$(MAKE) --no-print-directory test VENV=$(VENV)-latest LATEST=1

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

handout: install
	$(PY) scripts/make_handout.py --out build/handout

bench: install
	$(PY) benchmarks/train_speed.py
	$(PY) benchmarks/cnn_speed.py
	$(PY) benchmarks/predict_latency.py

# ---------------------------------------------------------------- the course as a website
.PHONY: site site-test pdf system-packages

# What the site and its tests need from the system, installed by this target only (as root,
# with Debian's apt-get; CI runs it before `make test`): Node.js and npm for the site's npm
# packages, Chromium for the browser tests and the PDF, poppler-utils for the PDF's test.
# Without Chromium or poppler those tests skip, saying so; without npm `make site` stops.
system-packages:
	@missing=""; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -z "$$missing" ]; then echo "system packages: Node.js, npm, Chromium, poppler-utils present"; \
	else echo "apt-get install$$missing"; apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# build/site: the committed notebooks (not re-run), the glossary, the results, draw-a-digit.
# Its packages (the `site` extra) are in the lock, so `make install` has installed them; what
# it takes from npm (package.json, package-lock.json) needs Node.js and npm.
# EDITION=student: the student edition, without worked solutions.
EDITION ?=
EDITION_FLAG = $(if $(filter student,$(EDITION)),--student,)
site: install
	@command -v npm >/dev/null 2>&1 || { echo "make site needs Node.js and npm:" \
	    "\`make system-packages\` installs Debian's (as root)"; exit 1; }
	$(PY) scripts/build_site.py $(EDITION_FLAG)

# The built site in headless Chromium (axe-core, page weights, the draw page, the PDF);
# screenshots in build/site-screenshots; prints axe's counts and each page's weight.
# Two test processes, one test file each at a time (most of the time is the browser's).
site-test: site
	$(PY) -m pytest browser_tests -q -n 2 --dist loadfile

# The whole course as one PDF (every notebook in order, the glossary, the results), printed by
# the same Chromium: build/mnist-tutorial.pdf.
pdf: site
	$(PY) scripts/build_site.py --pdf build/mnist-tutorial.pdf $(EDITION_FLAG)

clean:
	rm -rf $(VENV) $(VENV)-latest $(UV_DIR) models .pytest_cache .ruff_cache
