"""The mutation test: the notebooks' tests catch the wrong answers real students write.

For every entry of the catalogue in ``tests/mutants/`` (one module per notebook) the notebook runs with
the instructor's answers plus that one wrong function (``tests/mutants/run.py``, one kernel per
notebook). Every mistake must cost points at grading, with a message that contains the words the
catalogue names; at least 90% of the common ones must already fail the visible tests that Validate
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
    free = [describe(o) for o in mutants if not o.graded_lost]
    assert not free, f"{name}: wrong answers that keep full marks:\n" + "\n".join(free)
    wordless = [f"{describe(o)}\n    message: {o.message}" for o in mutants if not o.words_ok]
    assert not wordless, f"{name}: messages without their expected words:\n" + "\n".join(wordless)
    common = [o for o in mutants if o.common]
    missed = [describe(o) for o in common if not o.visible_failed]
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
