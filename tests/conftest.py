"""Shared pytest fixtures for nn-basics.

* matplotlib is forced onto the non-interactive ``Agg`` backend before any test imports pyplot.
* ``rng``: a fresh ``numpy.random.default_rng(0)`` per test.
* ``cifar10_path``: the full CIFAR-10 archive named by the environment variable ``NN_BASICS_CIFAR10``.
  When the variable is unset the test is skipped, except under ``CI=true`` where it fails (CI must
  run the CIFAR tests). A variable that points at a missing file always fails.
* ``sample_path``: the small real CIFAR-10 sample shipped in ``data/cifar-10-sample``.
* In the ``test_*_figures`` modules every test runs under the course's style, and every figure it made
  must then pass ``tests.figure_checks.accessibility_problems`` (palette, legends, text size, width,
  alt text): the figure functions are checked on every input their tests give them.
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


@pytest.fixture(autouse=True)
def _course_figures_are_accessible(request, monkeypatch):
    """In ``test_*_figures`` modules: the course style on, and each figure made checked afterwards."""
    if not request.module.__name__.rsplit(".", 1)[-1].endswith("_figures"):
        yield
        return
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from helpers import figure_style
    from tests.figure_checks import accessibility_problems

    made = []
    original = Figure.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(Figure, "__init__", tracking_init)
    with mpl.rc_context(figure_style._STYLE):
        yield
    problems = []
    for fig in made:
        if not any(ax.has_data() or ax.texts for ax in fig.axes):
            continue  # a blank figure a test made for a call that was meant to fail
        # A diagram or a picture (every axes off) needs no number in its alt text; a data figure does.
        data = any(ax.axison for ax in fig.axes)
        problems += [
            f"{figure_style.figure_alt_text(fig)[:60]!r}: {p}" for p in accessibility_problems(fig, data=data)
        ]
    if problems:
        pytest.fail(
            "figures that break the course's accessibility rules:\n" + "\n".join(problems), pytrace=False
        )


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
