"""Attack 1 of issue 19, generalised to the whole course: zeroing the arguments in place earns nothing.

For every graded exercise of 01-08 the hostile student's function is the instructor's answer behind a
wrapper that first sets every array it is given (and every array or number in a list or dict it is
given) to zero, in place, and then answers for the zeroed arguments. Before the fix, the evaluator
copied those in-place changes back into the test's arrays, and hidden checks that compute their
expected value after the call from the same arrays agreed with the student. Now the test's objects are
never the student's: every such exercise must score 0, while an honest student graded in the same run
keeps full marks. For an exercise whose contract is an in-place update (``sgd_momentum_step``),
zeroing is a wrong update and fails like one.

Exercises whose tests give the function no array, list or dict (only numbers, callables or a
generator) are left out, each named with that reason: the wrapper cannot change anything there.
"""

from __future__ import annotations

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.grade import grade
from autograder.isolate.limits import Limits
from tests.autograder.support import need_sandbox
from tests.mutants.run import exercises
from tests.nbtools import NAMES, ROOT, read, release_path, source_path

ZEROING = """

import numpy as _zero_np


def _zero_in_place(value):
    if isinstance(value, _zero_np.ndarray) and value.dtype.kind in "biufc" and value.flags.writeable:
        value[...] = 0
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, int | float) and not isinstance(item, bool):
                value[key] = 0
            else:
                _zero_in_place(item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, int | float) and not isinstance(item, bool):
                value[i] = 0
            else:
                _zero_in_place(item)


def _zeroing(answer):
    def zeroed(*args, **kwargs):
        for value in [*args, *kwargs.values()]:
            _zero_in_place(value)
        return answer(*args, **kwargs)

    zeroed.__name__ = answer.__name__
    return zeroed
"""

# exercise (answer cell grade_id) -> why zeroing cannot touch what its tests give it
UNTOUCHABLE = {
    "grid_argmin": "takes a loss function and numbers",
    "local_search": "takes a loss function and numbers",
    "init_weights": "takes numbers and a generator",
    "random_search": "takes a training function, ranges as tuples and a generator",
}


def _hostile(name: str):
    """The instructor's answers, each function of an answer cell wrapped by _zeroing."""
    source, release = read(source_path(name)), read(release_path(name))
    nb = demo.solve(release, source)
    wrapped = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not (meta.get("solution") and not meta.get("grade")):
            continue
        names = [line[4:].split("(")[0] for line in cell.source.splitlines() if line.startswith("def ")]
        cell.source += ZEROING + "".join(f"\n{n} = _zeroing({n})" for n in names) + "\n"
        wrapped += names
    assert wrapped, f"{name}: no answer function found"
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    folder = tmp_path_factory.mktemp("submitted")
    for name in NAMES:
        honest = demo.solve(read(release_path(name)), read(source_path(name)))
        for student, nb in (("zeroer", _hostile(name)), ("honest", honest)):
            path = folder / student / name / f"{name}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(nb, str(path))
    out = tmp_path_factory.mktemp("out")
    outcome = grade(folder, out, course_root=ROOT, workers=2, limits=Limits(timeout=60), progress=False)
    return {(r.student, r.notebook): r for r in outcome.results}


@pytest.mark.parametrize("name", NAMES)
def test_zeroing_the_arguments_scores_nothing(graded, name):
    zeroer, honest = graded[("zeroer", name)], graded[("honest", name)]
    cells = {c.grade_id: c for c in zeroer.cells}
    honest_cells = {c.grade_id: c for c in honest.cells}
    checked = 0
    for exercise, tests in exercises(read(source_path(name))).items():
        if exercise in UNTOUCHABLE or not tests:
            continue
        for gid in tests:
            assert honest_cells[gid].score == honest_cells[gid].points, (
                f"{name} {gid}: the honest student lost points"
            )
            assert cells[gid].score == 0, (
                f"{name} {gid} ({exercise}): zeroing the arguments in place earned "
                f"{cells[gid].score}/{cells[gid].points} ({cells[gid].status})"
            )
            checked += 1
    assert checked, f"{name}: no exercise checked"


def test_the_left_out_exercises_exist():
    """UNTOUCHABLE names only real exercises (a renamed one must be checked again)."""
    every = {e for name in NAMES for e in exercises(read(source_path(name)))}
    assert set(UNTOUCHABLE) <= every, set(UNTOUCHABLE) - every
