"""One answer, one place, checked by behaviour (issue 19, item 5): no stripped library answers an open exercise.

For each notebook k, the library the student's kernel gets when k is graded
(``autograder.run.student_library.stripped_helpers``) is probed by ``tests/leakprobe.py``: every
function and method of every module is called on the arguments of k's visible tests (recorded by
running the notebook), and any that returns what k's reference solution returned is a leak. This
needs no ``@answer`` marks, so it also finds answers the marks miss (a figure module's inline loss).

The student bundle ``UPTO=k SOLVED=k-1`` stubs exactly the same notebooks; its modules are checked
to be byte for byte the grading library's, so the probe covers it too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.run.student_library import stripped_helpers
from tests.nbtools import NAMES, ROOT
from tests.test_strip import exercises
from tools import bundle

PROBE = ROOT / "tests" / "leakprobe.py"
EXERCISES = exercises()

# Exercises the probe cannot check, and why (the test fails when one of them becomes checkable, or
# when any other exercise has no informative case).
UNCHECKABLE = {
    "02_activations": {"relu_grad"},  # its answers are 0/1 masks, met by chance by any comparison
    "03_argmin": {"argmin_w"},  # its answers are indices (whole numbers)
    "07_backprop": {"add_backward"},  # it returns its input dout twice: no value of its own
    "08_cifar10": {"random_search"},  # its answer comes from calling train_and_score, the caller's callable
}


def run_probe(parent: Path, notebooks: list[str], out: Path, *extra: str) -> dict:
    """Run the probe on the library in ``parent/helpers`` for ``notebooks``; its JSON report."""
    (parent / "data").unlink(missing_ok=True)
    (parent / "data").symlink_to(ROOT / "data")  # where helpers.data looks for the shipped sample
    run = subprocess.run(
        [sys.executable, str(PROBE), str(parent), str(out), *extra]
        + [str(ROOT / "notebooks" / f"{n}.py") for n in notebooks],
        cwd=parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text())["notebooks"]


@pytest.fixture(scope="module")
def grading_reports(tmp_path_factory):
    """Per notebook k: the probe's report on the library of k's grading sandbox (two probes at a time)."""
    root = tmp_path_factory.mktemp("leaks")

    def one(name):
        stripped_helpers(name, root / name)
        return run_probe(root / name, [name], root / f"{name}.json")[name]

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(NAMES, pool.map(one, NAMES), strict=True))


@pytest.mark.parametrize("name", NAMES)
def test_no_grading_library_answers_its_notebooks_exercises(grading_reports, name):
    report = grading_reports[name]
    assert report["cell_errors"] == [], (
        f"{name}'s cells fail with the library its grading sandbox gets (they must use the student's "
        f"own functions, not the stubbed answers): {report['cell_errors']}"
    )
    leaks = [f"{leak['function']} answers {leak['exercise']} ({leak['how']})" for leak in report["leaks"]]
    assert leaks == [], f"the library of {name}'s grading sandbox leaks its answers: {leaks}"
    unchecked = {e for e, cases in report["checked"].items() if not cases}
    assert unchecked == UNCHECKABLE.get(name, set()), f"{name}: exercises without an informative case"
    assert set(report["checked"]) == EXERCISES[name], "every exercise's visible tests are recorded"
    assert report["probe_calls"] > 1000, report  # the probe really called the library
    drawing = ("figure_style", "widgets")  # and every *_figures module: they draw on every call
    slow = [f for f in report["skipped_slow"] if not f.split(".")[0].endswith(("_figures", *drawing))]
    assert slow == [], f"{name}: library functions too slow to probe in full (not figures): {slow}"


@pytest.mark.parametrize("index", range(1, len(NAMES)))
def test_each_staged_bundle_ships_the_grading_library_of_its_last_notebook(tmp_path, index):
    """Bundle UPTO=k SOLVED=k-1 holds the same stubs as k's grading sandbox, module for module."""
    name = NAMES[index]
    out = tmp_path / "bundle.zip"
    bundle.build_bundle(out, upto=name, solved=NAMES[index - 1])
    sandbox = stripped_helpers(name, tmp_path / "sandbox")
    with zipfile.ZipFile(out) as zf:
        shipped = {
            Path(member).name: zf.read(member).decode()
            for member in zf.namelist()
            if "/helpers/" in member and member.endswith(".py") and not member.endswith("__init__.py")
        }
    assert shipped, "the bundle ships no helpers module"
    differing = [m for m, text in shipped.items() if (sandbox / m).read_text() != text]
    assert differing == [], f"bundle UPTO={name[:2]} ships these modules unlike {name}'s grading library"


PLANTED = {
    # an unmarked copy of 04's per-example hinge losses, on a whole batch
    "batch": (
        """

def _hinge_rows(scores, y, margin=1.0):
    rows = np.arange(len(y))
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    return margins.sum(axis=1)
""",
        {("helpers.loss_figures._hinge_rows", "hinge_losses_naive")},
    ),
    # attack 9 of issue 19 as it was: the figure's hinge and cross-entropy of one example
    "one example": (
        """

def _hinge_and_ce_inline(s, y, margin=1.0):
    hinge = float(np.sum(np.maximum(0.0, np.delete(s, y) - s[y] + margin)))
    c = float(np.max(s))
    return hinge, float(c + np.log(np.sum(np.exp(s - c))) - s[y])
""",
        {
            ("helpers.loss_figures._hinge_and_ce_inline", "hinge_losses_naive"),
            ("helpers.loss_figures._hinge_and_ce_inline", "cross_entropy"),
        },
    ),
}


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_the_probe_finds_a_planted_unmarked_answer(tmp_path, kind):
    """An unmarked copy of a loss in a figure module is found and named, with its exercise."""
    code, expected = PLANTED[kind]
    stripped_helpers("04_losses", tmp_path)
    figures = tmp_path / "helpers" / "loss_figures.py"
    figures.write_text(figures.read_text() + code)
    report = run_probe(tmp_path, ["04_losses"], tmp_path / "report.json", "--modules", "loss_figures")
    found = {(leak["function"], leak["exercise"]) for leak in report["04_losses"]["leaks"]}
    assert expected <= found, report["04_losses"]
    assert {f for f, _ in found} == {f for f, _ in expected}, found
