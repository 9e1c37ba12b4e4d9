"""Shared pytest fixtures for nn-basics.

* matplotlib is forced onto the non-interactive ``Agg`` backend before any test imports pyplot.
* ``rng``: a fresh ``numpy.random.default_rng(0)`` per test.
* ``cifar10_path``: the full CIFAR-10 archive named by the environment variable ``NN_BASICS_CIFAR10``.
  When the variable is unset the test is skipped, except under ``CI=true`` where it fails (CI must
  run the CIFAR tests). A variable that points at a missing file always fails.
* ``sample_path``: the small real CIFAR-10 sample shipped in ``data/cifar-10-sample``.
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg", force=True)

import numpy as np  # noqa: E402
import pytest  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CIFAR10_ENV = "NN_BASICS_CIFAR10"
SAMPLE_DIR = PROJECT_ROOT / "data" / "cifar-10-sample"


@pytest.fixture
def rng():
    """A seeded generator, new for every test: ``np.random.default_rng(0)``."""
    return np.random.default_rng(0)


@pytest.fixture
def ax():
    """A fresh matplotlib Axes for a figure test; its figure is closed afterwards."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.fixture
def cifar10_path():
    """Path of the full CIFAR-10 (``cifar-10-python.tar.gz`` or a folder), from ``NN_BASICS_CIFAR10``."""
    value = os.environ.get(CIFAR10_ENV, "").strip()
    if not value:
        message = (
            f"{CIFAR10_ENV} is not set: this test needs the full CIFAR-10 "
            "(cifar-10-python.tar.gz or a folder holding cifar-10-batches-py/). "
            f"Set {CIFAR10_ENV}=/path/to/cifar-10-python.tar.gz (.ci/run does this)."
        )
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message + " CI=true, so the CIFAR tests must not be skipped.", pytrace=False)
        pytest.skip(message)
    path = Path(value).expanduser()
    if not path.exists():
        pytest.fail(f"{CIFAR10_ENV}={value!r} but no such file or folder exists.", pytrace=False)
    return path


@pytest.fixture
def sample_path():
    """The shipped CIFAR-10 sample folder (holds ``cifar-10-batches-py/``)."""
    return SAMPLE_DIR


_SESSION_START = None


def pytest_sessionstart(session):
    global _SESSION_START
    import time

    _SESSION_START = time.time() - 1


def pytest_terminal_summary(terminalreporter):
    """The mutation test's counts (tests/test_mutants.py), also when it ran on an xdist worker."""
    from tests.mutants.run import format_table, read_summaries

    rows = read_summaries(_SESSION_START or 0)
    if rows:
        terminalreporter.section("mutants: caught at Validate and at grading")
        terminalreporter.write_line(format_table(rows))
