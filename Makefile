# nn-basics: every target sets up .venv on first use (python3 -m venv + pinned install).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
STATE  := $(CURDIR)/.state

# Keep Jupyter, IPython, matplotlib and caches out of HOME.
export JUPYTER_CONFIG_DIR        := $(STATE)/jupyter/config
export JUPYTER_DATA_DIR          := $(STATE)/jupyter/data
export JUPYTER_RUNTIME_DIR       := $(STATE)/jupyter/runtime
export JUPYTERLAB_WORKSPACES_DIR := $(STATE)/jupyter/workspaces
export JUPYTERLAB_SETTINGS_DIR   := $(STATE)/jupyter/settings
export IPYTHONDIR                := $(STATE)/ipython
export MPLCONFIGDIR              := $(STATE)/matplotlib
export XDG_CONFIG_HOME           := $(STATE)/config
export XDG_CACHE_HOME            := $(STATE)/cache
export JUPYTER_PLATFORM_DIRS     := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Kernels (make source, nbval, the browser tests) need matplotlib-inline: MPLBACKEND=Agg hides every figure.
unexport MPLBACKEND
export PATH := $(CURDIR)/$(BIN):$(PATH)

NOTEBOOKS := $(sort $(basename $(notdir $(wildcard notebooks/[0-9][0-9]_*.py))))

.PHONY: help setup lab test lint unit pipeline nbval source release bench grade-demo formgrade student-bundle lock clean

help:
	@echo "make lab            set up .venv if needed and open JupyterLab on the course"
	@echo "make test           set up .venv if needed and run every check (what CI runs)"
	@echo "make source         build source/ (executed instructor notebooks) from notebooks/"
	@echo "make release        build release/ (student notebooks) with nbgrader"
	@echo "make bench          speed and accuracy benchmarks (benchmarks/)"
	@echo "make grade-demo     grade a sample class with the autograder"
	@echo "make formgrade GRADED=DIR  grade written answers by hand (formgrader) in a graded folder"
	@echo "                    (make lab PORT=8990, make formgrade GRADED=DIR PORT=8991: another port)"
	@echo "make student-bundle write dist/nn-basics-student.zip (UPTO=04 SOLVED=03: released up to 04, answers of 01-03)"

# The pinned packages need Python 3.11+: say so before pip fails with "conflicting dependencies".
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; v = sys.version_info; sys.exit(0 if v >= (3, 11) else "nn-basics needs Python 3.11 or newer; $(PYTHON) is %d.%d (run make PYTHON=python3.11 ...)" % v[:2])'
	@mkdir -p $(IPYTHONDIR) $(MPLCONFIGDIR) $(JUPYTER_CONFIG_DIR) $(JUPYTER_DATA_DIR) $(JUPYTER_RUNTIME_DIR) $(XDG_CONFIG_HOME) $(XDG_CACHE_HOME)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned packages into $(VENV) (once; a minute or two, about 700 MB)..."
	$(BIN)/python -m pip install --disable-pip-version-check -c requirements.lock -e '.[dev,cluster]'
	@touch $@

setup: $(STAMP)

# nbgrader's gradebook (every assignment, its cells and points) for the formgrader in `make lab`:
# `make release` records it while it rebuilds release/ (byte for byte the committed one). It follows
# source/: any source notebook newer than it (a rebuild, a checkout, a revert) records them again.
SOURCE_NOTEBOOKS := $(wildcard source/*/*.ipynb)
gradebook.db: $(SOURCE_NOTEBOOKS) | $(STAMP)
	@echo "Recording the assignments in nbgrader's gradebook (gradebook.db) for the formgrader..."
	$(BIN)/python -m tools.build release
	@touch $@

# PORT=8990: another port than Jupyter's 8888 (JupyterLab takes the next free one when it is busy).
PORT_ARG = $(if $(PORT),--ServerApp.port=$(PORT) --ServerApp.port_retries=0)

lab: $(STAMP) gradebook.db
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) $(PORT_ARG) $(if $(filter 0,$(shell id -u)),--allow-root)

# Two pytest runs: (1) unit, pipeline, notebook, autograder, bundle and browser tests plus nbval (strict)
# over source/ on two workers; (2) nbval over 08_cifar10 alone, since it trains on the full CIFAR-10 and
# two BLAS-heavy processes on two cores would slow each other several-fold.
PYTEST_ARGS ?= -n 2 --dist loadfile
NBVAL_ARGS  := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
test: $(STAMP) lint
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests source $(NBVAL_ARGS) --nbval-cell-timeout 600 \
	  --ignore=source/08_cifar10
	$(BIN)/python -m pytest source/08_cifar10 $(NBVAL_ARGS) --nbval-cell-timeout 900

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check helpers autograder tests tools benchmarks

source: $(STAMP)
	$(BIN)/python -m tools.build source $(NB)

release: $(STAMP)
	$(BIN)/python -m tools.build release $(NB)

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

grade-demo: $(STAMP)
	$(BIN)/python -m autograder demo --out artifacts/grade-demo

# Grade the written answers by hand: the formgrader in JupyterLab on the autograder's --out folder.
formgrade: $(STAMP)
	@test -n "$(GRADED)" || { echo "usage: make formgrade GRADED=<the autograder's --out folder>" >&2; exit 2; }
	$(BIN)/python -m tools.formgrade $(GRADED) $(PORT_ARG)

student-bundle: $(STAMP)
	$(BIN)/python -m tools.bundle $(if $(UPTO),--upto $(UPTO)) $(if $(SOLVED),--solved $(SOLVED))

lock: $(STAMP)
	{ head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf .state .pytest_cache artifacts dist gradebook.db
