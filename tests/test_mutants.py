"""The mutation test: the notebooks' tests catch the wrong answers real students write.

For every entry of the catalogue in ``tests/mutants/`` (one module per notebook) the notebook runs with
the instructor's answers plus that one wrong function (``tests/mutants/run.py``, one kernel per
notebook). Every mistake must cost points at grading, with a message that contains the words the
catalogue names and none of the words it forbids (a hint that names the wrong mistake is worse than
none); at least 90% of the common ones must already fail the visible tests that Validate
runs; the correct alternatives the prompts allow must keep full marks. The counts are printed at the
end of the pytest run (``pytest_terminal_summary`` in tests/conftest.py) and by
``python -m tests.mutants.run``.
"""

from __future__ import annotations

import time

import pytest

from tests.mutants.run import describe, run_notebook, summary_row, write_summary
from tests.nbtools import NAMES

MIN_COMMON_AT_VALIDATE = 0.9


@pytest.mark.parametrize("name", NAMES)
def test_mutants_are_caught(name):
    start = time.perf_counter()
    outcomes, problems = run_notebook(name)
    row = summary_row(name, outcomes, time.perf_counter() - start)
    write_summary(row)
    assert not problems, f"{name}: the instructor's answers fail: {problems}"
    broken = [describe(o) for o in outcomes if o.setup_error]
    assert not broken, f"{name}: catalogue entries whose code does not run:\n" + "\n".join(broken)
    mutants = [o for o in outcomes if o.kind == "mutant"]
    assert mutants, f"{name}: no mutants in tests/mutants/m{name}.py"
    free = [describe(o) for o in mutants if not o.graded_lost and not o.taught]
    assert not free, f"{name}: wrong answers that keep full marks:\n" + "\n".join(free)
    untaught = [describe(o) for o in mutants if o.taught and not o.taught_failed]
    assert not untaught, f"{name}: mistakes their ungraded check does not catch:\n" + "\n".join(untaught)
    wordless = [f"{describe(o)}\n    message: {o.message}" for o in mutants if not o.words_ok]
    assert not wordless, (
        f"{name}: messages without their expected words, or with forbidden ones:\n" + "\n".join(wordless)
    )
    common = [o for o in mutants if o.common]
    missed = [describe(o) for o in common if not (o.visible_failed or o.taught_failed)]
    assert len(common) - len(missed) >= MIN_COMMON_AT_VALIDATE * len(common), (
        f"{name}: common mistakes that pass Validate:\n" + "\n".join(missed)
    )
    rejected = [describe(o) for o in outcomes if o.kind == "passing" and (o.visible_failed or o.graded_lost)]
    assert not rejected, f"{name}: correct alternatives that lose points:\n" + "\n".join(rejected)


def test_every_exercise_has_four_mutants():
    from tests.mutants import catalogue
    from tests.mutants.run import exercises
    from tests.nbtools import read, source_path

    short = []
    for name in NAMES:
        mutants, _ = catalogue(name)
        for exercise in exercises(read(source_path(name))):
            count = sum(m.exercise == exercise for m in mutants)
            if count < 4:
                short.append(f"{name} {exercise}: {count}")
    assert not short, f"exercises with fewer than 4 mutants: {short}"


# the position of ``name`` among each helper's positional arguments
_NAME_POSITION = {
    "assert_close": None,
    "assert_grad_close": None,
    "assert_scalar": 1,
    "assert_equal": 2,
    "assert_shape": 2,
    "assert_dtype": 2,
    "assert_true": 1,
}


@pytest.mark.parametrize("name", NAMES)
def test_every_assert_says_what_it_checks(name):
    """Feedback never reads "result is not the expected value" or an empty AssertionError."""
    import ast

    from nbgrader.utils import is_grade, is_solution

    from tests.nbtools import cells_by_id, read, source_path

    silent = []
    for gid, cell in cells_by_id(read(source_path(name))).items():
        if not is_grade(cell) or is_solution(cell):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Assert) and node.msg is None:
                silent.append(f"{gid} line {node.lineno}: assert without a message")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                helper = node.func.attr
                if helper not in _NAME_POSITION or not isinstance(node.func.value, ast.Name):
                    continue
                position = _NAME_POSITION[helper]
                named = any(k.arg == "name" for k in node.keywords)
                if not named and not (position is not None and len(node.args) > position):
                    silent.append(f"{gid} line {node.lineno}: {helper} without name=")
    assert not silent, f"{name}: checks that do not say what they check:\n" + "\n".join(silent)
