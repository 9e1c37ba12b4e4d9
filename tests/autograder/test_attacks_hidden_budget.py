"""Attacks 2 and 8 of issue 19, graded with ``python -m autograder grade`` in one class with honest students.

Attack 2: a function that prints its arguments (01's ``neuron``), one that raises them in its error
message, and one that maps out the test's callback (06's ``numerical_gradient`` probing ``f``). Nothing
of a hidden check's inputs (taken from source/: the arguments the hidden part passes, and what its
callbacks return there) may appear in any feedback page, while the visible checks keep showing what
the student's code printed.

Attack 8: a ``numerical_gradient`` that keeps its call alive by calling its callback every 4 s for
60 s. The call's budget (``--timeout``) covers its callbacks: the call is stopped near the budget, and
the notebook is held about that long, not 60 s.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.demo import sampleclass as demo
from autograder.receive.course import find_assignments
from tests.autograder.support import ROOT, grade_cli, need_sandbox

A1, A6 = "01_architecture", "06_gradients"
TIMEOUT = 20

PRINTS = """
def neuron(x, w, w0):
    print("NEURON SAW", repr(x), x.tolist(), repr(w), w.tolist(), repr(w0))
    return max(0.0, float(np.dot(w, x)) + float(w0))
"""
RAISES = """
def neuron(x, w, w0):
    if len(x) != 2:  # the visible checks use D = 2: every other call raises its arguments
        raise ValueError(f"x={x.tolist()} w={w.tolist()} w0={w0!r} {x!r}")
    return max(0.0, float(np.dot(w, x)) + float(w0))
"""
PROBES = """
def numerical_gradient(f, x, h=1e-5):
    if getattr(f, "__name__", "") == "call_evaluator":  # called by the grader: map its function out
        print("PROBE x", repr(x), x.tolist(), "h", repr(h))
        print("PROBE f", repr(f(x)), repr(f(x + 1.0)), repr(f(2.0 * x)), repr(f(np.zeros_like(x))))
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
"""
KEEPALIVE = """
import time

def numerical_gradient(f, x, h=1e-5):
    if getattr(f, "__name__", "") == "call_evaluator":  # called by the grader: keep the call alive
        t0 = time.monotonic()
        while time.monotonic() - t0 < 60:
            time.sleep(4)
            f(x)
            print(f"KEEPALIVE {time.monotonic() - t0:.1f}")
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        f_plus = float(f(x))
        x[idx] = old - h
        f_minus = float(f(x))
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
"""


def _nb(folder: str, name: str):
    return nbformat.read(str(ROOT / folder / name / f"{name}.ipynb"), as_version=4)


def _gid(cell) -> str | None:
    return (cell.metadata.get("nbgrader") or {}).get("grade_id")


def _answer(nb, gid: str, source: str):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    next(c for c in nb.cells if _gid(c) == gid).source = source.strip()
    return nb


def _write(folder: Path, student: str, assignment: str, nb) -> None:
    path = folder / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def hidden_inputs(name: str, test_id: str, function: str) -> list:
    """The arguments that test ``test_id``'s hidden part of source/``name`` passes to ``function``.

    The test cell runs here with the instructor's solution, its visible part first (the hidden part
    continues its random generator); ``check_own_work`` records each call made by the hidden part. A
    callable argument is replaced by what it returns at the recorded array (what a probe would see).
    """
    import helpers.testing

    source_nb = _nb("source", name)
    ns: dict = {"np": np}
    exec(next(c.source for c in source_nb.cells if _gid(c) == function), ns)  # the solution
    text = next(c.source for c in source_nb.cells if _gid(c) == test_id)
    visible, hidden = text.split("### BEGIN HIDDEN TESTS")
    hidden = hidden.split("### END HIDDEN TESTS")[0]
    calls: list = []
    recording = [False]
    real = helpers.testing.check_own_work

    def record(fn, *args, forbidden=None, allowed=None, **kwargs):
        if recording[0] and getattr(fn, "__name__", "") == function:
            calls.append([np.copy(a) if isinstance(a, np.ndarray) else a for a in args])
        return fn(*args, **kwargs)

    helpers.testing.check_own_work = record
    try:
        ns["testing"] = helpers.testing
        exec(visible, ns)
        recording[0] = True
        exec(hidden, ns)
    finally:
        helpers.testing.check_own_work = real
    values = []
    for args in calls:
        arrays = [a for a in args if isinstance(a, np.ndarray)]
        for a in args:
            if callable(a):
                values += [float(a(np.copy(x))) for x in arrays]
            else:
                values.append(a)
    assert values, f"no hidden call of {function} found in {test_id}"
    return values


def tokens(values) -> set[str]:
    """How a value would show in a page: array reprs and lists, and every float's first 5 decimals."""
    out = set()
    for v in values:
        arr = np.asarray(v, dtype=float)
        if arr.size > 1:
            out |= {repr(arr.tolist()), repr(arr)}
        for x in arr.ravel():
            digits = f"{abs(float(x)):.12f}"
            whole, frac = digits.split(".")
            if frac.rstrip("0")[5:]:  # more than 5 decimals: a number no page shows by chance
                out.add(f"{whole}.{frac[:5]}")
    return out


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    ready = find_assignments(ROOT / "source")
    if A1 not in ready or A6 not in ready or not (ROOT / "release" / A6).is_dir():
        pytest.fail("source/ and release/ of 01_architecture and 06_gradients are needed (make source)")
    folder = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("out")
    release1, source1 = _nb("release", A1), _nb("source", A1)
    release6, source6 = _nb("release", A6), _nb("source", A6)
    perfect1, perfect6 = demo.solve(release1, source1), demo.solve(release6, source6)
    _write(folder, "perfect", A1, perfect1)
    _write(folder, "partial", A1, demo.solve(release1, source1, fraction=0.5))
    _write(folder, "untouched", A1, release1)
    _write(folder, "perfect", A6, perfect6)
    _write(folder, "untouched", A6, release6)
    _write(folder, "prints", A1, _answer(perfect1, "neuron", PRINTS))
    _write(folder, "raises", A1, _answer(perfect1, "neuron", RAISES))
    _write(folder, "probes", A6, _answer(perfect6, "numerical_gradient", PROBES))
    _write(folder, "keepalive", A6, _answer(perfect6, "numerical_gradient", KEEPALIVE))
    run = grade_cli(folder, out, "--workers", "2", "--timeout", TIMEOUT, timeout=1200)
    return {"out": out, "results": run["nbs"], "stdout": run["stdout"]}


def _page(graded, student: str, name: str) -> str:
    return (graded["out"] / "feedback" / student / name / f"{name}.html").read_text()


def _cell(result: dict, gid: str) -> dict:
    return next(c for c in result["cells"] if c["grade_id"] == gid)


AUTOGRADED = {A1: 10, A6: 11}  # points of the test cells (the rest are written answers, graded by hand)


def test_honest_students_keep_their_exact_scores(graded):
    r = graded["results"]
    for name, points in AUTOGRADED.items():
        perfect = r[("perfect", name)]
        assert (
            perfect["score"]
            == points
            == sum(c["points"] for c in perfect["cells"] if c["status"] != "manual")
        )
        assert all(c["status"] in ("passed", "manual") for c in perfect["cells"])
        assert r[("untouched", name)]["score"] == 0
    assert r[("partial", A1)]["score"] == 6  # neuron and both layers written, the forward passes not


def test_printing_probing_or_raising_in_a_hidden_check_changes_no_score(graded):
    r = graded["results"]
    assert r[("prints", A1)]["score"] == AUTOGRADED[A1] and r[("probes", A6)]["score"] == AUTOGRADED[A6]
    raised = _cell(r[("raises", A1)], "neuron_tests")
    assert r[("raises", A1)]["score"] == AUTOGRADED[A1] - 2 and raised["status"] == "failed"
    assert "hidden check" in raised["reason"], raised


def test_no_feedback_page_holds_a_hidden_input(graded):
    secrets = tokens(hidden_inputs(A1, "neuron_tests", "neuron"))
    secrets |= tokens(hidden_inputs(A6, "numerical_gradient_tests", "numerical_gradient"))
    public = (ROOT / "release" / A1 / f"{A1}.ipynb").read_text() + (
        ROOT / "release" / A6 / f"{A6}.ipynb"
    ).read_text()
    secrets = {s for s in secrets if s not in public}  # ([0.5, -1.0, 2.0] is also a visible example)
    assert len(secrets) > 40
    pages = sorted((graded["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["results"]) == 9
    for page in pages:
        text = page.read_text()
        found = sorted(s for s in secrets if s in text)
        assert not found, (page, found[:5])


def test_visible_checks_still_show_what_the_students_code_printed(graded):
    printed = _page(graded, "prints", A1)
    assert "NEURON SAW" in printed and "[1.0, 2.0]" in printed  # the visible checks' inputs
    assert "hidden checks of this test is not shown" in printed
    probes = _page(graded, "probes", A6)
    assert "PROBE x" in probes and "hidden checks of this test is not shown" in probes


def test_a_call_that_keeps_calling_its_callback_is_stopped_near_its_budget(graded):
    """Attack 8: the keep-alive call used to run its 60 s (each callback restarted the timer) and pass."""
    r = graded["results"]
    keep = r[("keepalive", A6)]
    cell = _cell(keep, "numerical_gradient_tests")
    assert cell["status"] == "failed" and f"did not finish within {TIMEOUT} s" in cell["reason"], cell
    assert keep["score"] == AUTOGRADED[A6] - 3  # numerical_gradient_tests only
    alive = [float(s) for s in re.findall(r"KEEPALIVE (\d+\.\d)", _page(graded, "keepalive", A6))]
    assert alive and max(alive) < TIMEOUT, alive  # its last callback came before the budget ran out
    held = keep["seconds"] - r[("perfect", A6)]["seconds"]  # the same notebook without the attack
    assert TIMEOUT - 4 <= held <= TIMEOUT + 10, (keep["seconds"], r[("perfect", A6)]["seconds"])
