"""The trusted evaluator end to end: proxies, plain data, in-place changes, callbacks, per-call limits.

One small course (assignment ``a3_proxy``) written here, graded once in real sandboxes. Its tests use
what the course's tests use: a function that changes a dict of arrays in place and returns None (read
back explicitly with ``helpers.testing.call``: the test's own objects never change), a numerical
gradient that must restore its argument, a callback that calls another student function (nested
calls), a callback that changes its arguments in place (the student's loop sees it), tuples and dicts
as results, a non-callable solution name, and an expected exception. The students break one call each
(a hang, a death, a flood, a warning, stderr text) and must lose exactly the tests that use the broken
call; the ``zeroer`` answers the visible inputs and zeroes its argument in place on any other (attack
1 of issue 19) and must gain nothing from it.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.demo.samplecourse import CONFIG, _cell
from autograder.grade import grade
from autograder.isolate.limits import Limits
from autograder.receive.testplan import plan, split_hidden
from tests.autograder.support import need_sandbox

A = "a3_proxy"

ANSWERS = {
    "double": "def double(x):\n    return 2 * x",
    "step": "def step(params, grads, lr):\n    for k in params:\n        params[k] -= lr * grads[k]",
    "grad": (
        "import numpy as np\n"
        "def grad(f, x, h=1e-5):\n"
        "    g = np.zeros_like(x)\n"
        "    for i in range(x.size):\n"
        "        old = x.flat[i]\n"
        "        x.flat[i] = old + h\n        fp = f(x)\n"
        "        x.flat[i] = old - h\n        fm = f(x)\n"
        "        x.flat[i] = old\n"
        "        g.flat[i] = (fp - fm) / (2 * h)\n"
        "    return g"
    ),
    "pair": "LIMIT = 3\ndef pair(x):\n    return x.min(), {'max': x.max(), 'n': len(x)}",
    "repeat": "def repeat(params, update, n):\n    for _ in range(n):\n        update(params, 0.5)",
}

TESTS = {
    "double_tests": (
        1,
        "assert double(2) == 4\nnp.testing.assert_allclose(double(np.arange(2.0)), [0.0, 2.0])",
    ),
    "step_tests": (
        2,
        "from helpers import testing\n"
        "p = {'w': np.ones(3), 'b': np.zeros(2)}\ng = {'w': np.full(3, 2.0), 'b': np.ones(2)}\n"
        "called = testing.call(step, p, g, 0.5)\nassert called.value is None\n"
        "np.testing.assert_allclose(called.args[0]['w'], 0.0)\nnp.testing.assert_allclose(called.args[0]['b'], -0.5)\n"
        "np.testing.assert_allclose(p['w'], 1.0)  # the test's own dict never changes\n"
        "### BEGIN HIDDEN TESTS\nnp.testing.assert_allclose(called.args[1]['w'], 2.0)\n### END HIDDEN TESTS",
    ),
    "grad_tests": (
        2,
        "W = np.array([1.0, -2.0, 3.0])\nA_ = np.array([0.5, 1.0, 2.0])\nW0 = W.copy()\n"
        "np.testing.assert_allclose(grad(lambda v: float(np.sum(v ** 2)), W), 2 * W, rtol=1e-6)\n"
        "from helpers import testing\n"
        "np.testing.assert_array_equal(testing.call(grad, lambda v: float(np.sum(A_ * v ** 2)), W).args[1], W0)\n"
        "### BEGIN HIDDEN TESTS\n"
        "np.testing.assert_allclose(grad(lambda v: float(double(v).sum()), np.ones(2)), [2.0, 2.0], rtol=1e-6)\n"
        "### END HIDDEN TESTS",
    ),
    "pair_tests": (
        1,
        "lo, info = pair(np.array([3, 1, 2]))\n"
        "assert lo == 1 and info == {'max': 3, 'n': 3} and isinstance(info, dict)\n"
        "assert LIMIT == 3\n"
        "try:\n    pair(np.array([]))\nexcept ValueError:\n    pass\n"
        "else:\n    raise AssertionError('pair of an empty array should raise ValueError')\n"
        "### BEGIN HIDDEN TESTS\n"
        "x = np.array([5.0, 4.0, 7.0])\nlo, info = pair(x)\n"
        "assert lo == x.min() and info['max'] == x.max(), (lo, info)  # expected from the test's own x\n"
        "### END HIDDEN TESTS",
    ),
    # a callback that changes its argument in place (a stand-in update rule): the student's loop sees it
    "repeat_tests": (
        1,
        "calls = []\n"
        "def update(p, lr):\n    calls.append(float(p['w'][0]))\n    p['w'] = p['w'] + lr\n    p['b'] += 1\n"
        "from helpers import testing\n"
        "params = {'w': np.zeros(2), 'b': np.zeros(1)}\n"
        "called = testing.call(repeat, params, update, 3)\nassert called.value is None\n"
        "assert calls == [0.0, 0.5, 1.0], calls\n"
        "np.testing.assert_allclose(called.args[0]['w'], 1.5)\nnp.testing.assert_allclose(called.args[0]['b'], 3.0)\n"
        "np.testing.assert_allclose(params['w'], 0.0)  # the test's own dict never changes",
    ),
}

# student -> answers replaced, on top of the right ones
STUDENTS = {
    "good": {},
    "hang": {
        "double": "import numpy as np\ndef double(x):\n    while np.ndim(x):\n        pass\n    return 2 * x"
    },
    "dies": {"step": "def step(params, grads, lr):\n    import os\n    os._exit(1)"},
    "flood": {
        "pair": "LIMIT = 3\ndef pair(x):\n    print('y' * 5_000_000)\n    return x.min(), {'max': x.max(), 'n': len(x)}"
    },
    "warner": {
        "pair": "import numpy as np\nLIMIT = 3\ndef pair(x):\n    np.log(-1.0)\n    return x.min(), {'max': x.max(), 'n': len(x)}"
    },
    "stderr": {"double": "import sys\ndef double(x):\n    print('debug', file=sys.stderr)\n    return 2 * x"},
    "chatty": {"double": "def double(x):\n    print('double was called')\n    return 2 * x"},
    "copies": {
        "step": "def step(params, grads, lr):\n    params = {k: v - lr * grads[k] for k, v in params.items()}"
    },
    # attack 1: the visible input answered, any other zeroed in place and answered for zeros
    "zeroer": {
        "pair": "LIMIT = 3\ndef pair(x):\n    if len(x) == 0:\n        raise ValueError('empty')\n"
        "    if list(x) == [3, 1, 2]:\n        return 1, {'max': 3, 'n': 3}\n"
        "    x[...] = 0\n    return x.min(), {'max': x.max(), 'n': len(x)}"
    },
}
EXPECTED = {
    "good": 7,
    "chatty": 7,
    "hang": 4,
    "dies": 1,
    "flood": 7,
    "warner": 6,
    "stderr": 7,
    "copies": 5,
    "zeroer": 6,
}


def source_notebook():
    cells = [_cell("code", "import numpy as np")]
    for gid in ("double", "step", "grad", "pair", "repeat"):
        body = ANSWERS[gid]
        cells.append(_cell("answer", f"### BEGIN SOLUTION\n{body}\n### END SOLUTION", gid))
        points, test = TESTS[f"{gid}_tests"]
        cells.append(_cell("test", test, f"{gid}_tests", points))
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.from_dict(json.loads(json.dumps(c))) for c in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"a3-cell-{i}"
    return nb


def student_notebook(answers: dict[str, str]):
    nb = source_notebook()
    for cell in nb.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in ANSWERS:
            cell.source = answers.get(gid, ANSWERS[gid])
    return nb


def test_plan_keeps_what_the_tests_need_and_proxies_the_solution_names():
    job = plan(source_notebook())
    assert job["solution_names"] == ["LIMIT", "double", "grad", "pair", "repeat", "step"]
    kinds = [(c["kind"], c.get("grade_id")) for c in job["cells"]]
    assert kinds[0] == ("setup", None) and job["cells"][0]["source"] == "import numpy as np"
    assert [g for k, g in kinds if k == "test"] == list(TESTS)
    grad_cell = next(c for c in job["cells"] if c.get("grade_id") == "grad_tests")
    assert {"grad", "double"} <= set(grad_cell["names"])


def test_plan_splits_each_test_into_its_visible_and_hidden_parts():
    source = "a = 1\nassert f(a)\n### BEGIN HIDDEN TESTS\nassert f(2)\n### END HIDDEN TESTS\n"
    assert split_hidden(source) == [
        {"source": "a = 1\nassert f(a)", "hidden": False, "first": 1},
        {"source": "assert f(2)", "hidden": True, "first": 4},
    ]
    # a hidden region inside a loop cannot run on its own: the whole cell counts as hidden
    looped = "for x in xs:\n    f(x)\n    ### BEGIN HIDDEN TESTS\n    g(x)\n    ### END HIDDEN TESTS"
    assert split_hidden(looped) == [{"source": looped, "hidden": True, "first": 1}]
    step = next(c for c in plan(source_notebook())["cells"] if c.get("grade_id") == "step_tests")
    assert [p["hidden"] for p in step["parts"]] == [False, True]
    assert step["parts"][1]["source"] == "np.testing.assert_allclose(called.args[1]['w'], 2.0)"


def test_a_hidden_part_keeps_the_cells_line_numbers_and_shows_no_value():
    from autograder.inside.evaluator import run_cell

    hidden_last = "x = 1\n### BEGIN HIDDEN TESTS\nx + 41\nassert x == 2\n### END HIDDEN TESTS"
    (error,) = run_cell(split_hidden(hidden_last), {}, "t")
    assert error["output_type"] == "error" and error["traceback"][0] == "Cell In[1], line 4"
    (shown,) = run_cell(
        split_hidden("x = 1\n### BEGIN HIDDEN TESTS\nassert x == 1\n### END HIDDEN TESTS\nx + 1"), {}, "t"
    )
    assert shown["data"]["text/plain"] == "2"  # a visible last expression is shown, as in IPython
    assert run_cell(split_hidden("### BEGIN HIDDEN TESTS\n6 * 7\n### END HIDDEN TESTS"), {}, "t") == []


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    course = tmp_path_factory.mktemp("course")
    (course / "source" / A).mkdir(parents=True)
    nbformat.write(source_notebook(), str(course / "source" / A / f"{A}.ipynb"))
    (course / "nbgrader_config.py").write_text(CONFIG)
    folder = tmp_path_factory.mktemp("submitted")
    for student, answers in STUDENTS.items():
        path = folder / student / A / f"{A}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(student_notebook(answers), str(path))
    out = tmp_path_factory.mktemp("out")
    outcome = grade(
        folder, out, course_root=course, workers=2, limits=Limits(timeout=5, grace=3), progress=False
    )
    return {r.student: r for r in outcome.results}, out


def reasons(graded, student):
    return {c.grade_id: (c.status, c.reason) for c in graded[0][student].cells}


def test_each_student_loses_exactly_the_tests_their_broken_call_is_in(graded):
    assert {s: r.score for s, r in graded[0].items()} == EXPECTED


def test_a_call_that_hangs_is_interrupted_and_fails_its_tests_only(graded):
    r = reasons(graded, "hang")
    assert r["double_tests"][0] == "failed" and "did not finish within 5 s" in r["double_tests"][1]
    assert r["step_tests"][0] == "passed" and r["pair_tests"][0] == "passed"


def test_a_kernel_that_dies_in_a_call_fails_that_test_and_stops_the_rest(graded):
    r = reasons(graded, "dies")
    assert r["double_tests"][0] == "passed"
    assert r["step_tests"][0] == "failed" and "died" in r["step_tests"][1]
    assert r["grad_tests"][0] == r["pair_tests"][0] == "not_run"


def test_a_flood_is_cut_and_decides_nothing(graded):
    page = (graded[1] / "feedback" / "flood" / A / f"{A}.html").read_text()
    assert "Output of your code during this test" in page and "output truncated by the autograder" in page
    assert len(page) < 2_000_000


def test_what_a_call_prints_last_is_kept_whole(graded):
    """The worker stops reading a call's output at the kernel's "idle", not after a fixed pause."""
    nb = nbformat.read(str(graded[1] / "autograded" / "chatty" / A / f"{A}.ipynb"), as_version=4)
    printed = {
        c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
        for c in nb.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_tests")
    }
    # double(2) and double(arange(2)); the hidden grad test's callback calls it 4 times, never shown
    assert printed["double_tests"].count("double was called\n") == 2
    assert "double was called" not in printed["grad_tests"]
    assert "hidden checks of this test is not shown" in printed["grad_tests"]
    assert "double was called" not in printed["step_tests"] + printed["pair_tests"]


def test_a_warning_in_the_students_function_fails_the_test_as_stderr_did(graded):
    status, why = reasons(graded, "warner")["pair_tests"]
    assert status == "failed" and "stderr" in why


def test_stderr_text_of_the_students_code_is_shown_but_decides_nothing(graded):
    assert reasons(graded, "stderr")["double_tests"][0] == "passed"
    page = (graded[1] / "feedback" / "stderr" / A / f"{A}.html").read_text()
    assert "debug" in page


def test_in_place_changes_come_back_explicitly_and_never_into_the_tests_objects(graded):
    assert reasons(graded, "good")["step_tests"][0] == "passed"  # read with testing.call, p unchanged
    assert reasons(graded, "good")["grad_tests"][0] == "passed"  # W restored, nested double()
    assert reasons(graded, "good")["repeat_tests"][0] == "passed"  # the callback's changes reach the loop
    assert reasons(graded, "copies")["step_tests"][0] == "failed"


def test_zeroing_the_arguments_in_place_cannot_choose_an_expected_value(graded):
    """Attack 1: the hidden check computes its expected value from its own x, which the student's zeroing
    of its copy cannot reach (before, the change was copied back into x and the check passed)."""
    r = reasons(graded, "zeroer")
    assert r["pair_tests"][0] == "failed"
    assert all(status == "passed" for gid, (status, _) in r.items() if gid != "pair_tests")


def test_hidden_tests_never_reach_the_feedback(graded):
    for student in STUDENTS:
        page = (graded[1] / "feedback" / student / A / f"{A}.html").read_text()
        assert "called.args[1]" not in page and "double(v).sum()" not in page


def test_a_generator_the_student_draws_from_continues_in_the_test():
    """The student's copy of an rng argument advances; its new state comes back (into the copy a test reads)."""
    import numpy as np

    from autograder.inside import plaindata
    from autograder.inside.plaindata import apply_state

    test_rng = np.random.default_rng(3)
    sent = plaindata.to_plain([test_rng])  # what the evaluator sends for the call's arguments
    (student_rng,) = plaindata.from_plain(sent)
    before = {"0": plaindata.dumps(sent[0])}
    assert plaindata.changed_state((student_rng,), {}, dict(before)) == {}  # nothing drawn yet
    student_rng.normal(size=4)  # the student's function draws
    state = plaindata.changed_state((student_rng,), {}, before)
    assert list(state) == ["0"]
    apply_state(json.loads(plaindata.dumps(state)), "init_weights", (test_rng,), {})
    expected = np.random.default_rng(3)
    expected.normal(size=4)
    np.testing.assert_array_equal(test_rng.normal(size=3), expected.normal(size=3))


def test_failed_hidden_checks_say_which_and_how_many_and_show_no_value():
    """Issue 19, item 3: a hidden failure names its check (when the name holds no digit) and counts."""
    from autograder.inside.evaluator import run_cell

    source = (
        "from helpers import testing\nimport numpy as np\n### BEGIN HIDDEN TESTS\n"
        "_w = np.array([0.25, 0.25])\n"
        "print('the hidden input is', _w)\n"
        "testing.assert_scalar(float(_w.sum()), 'penalty of an even vector', expected=0.125)\n"
        "testing.assert_close(_w, [0.5, 0.75], name='w2 = [.25, .25]')\n"
        "assert _w[0] == 0.375, f'expected 0.375, got {_w[0]}'\n"
        "testing.assert_close(_w, _w, name='what passes')\n"
        "### END HIDDEN TESTS"
    )
    outputs = run_cell(split_hidden(source), {}, "t")
    (error,) = outputs  # nothing printed by the hidden part is shown
    assert error["ename"] == "HiddenChecksFailed" and error["traceback"][0] == "Cell In[1], line 6"
    message = error["evalue"]
    assert message.startswith("3 hidden checks failed: penalty of an even vector; a hidden check.")
    assert not any(ch.isdigit() for ch in message.split(":", 1)[1]), message  # no value, no digit
    assert "0.25" not in message and ".125" not in message and "0.375" not in message


def test_the_course_hidden_check_names_never_show_a_value():
    """Every name a hidden check of the course passes to helpers.testing: shown only without digits."""
    import ast

    from autograder.inside.evaluator import _hidden_name
    from autograder.receive.testplan import split_hidden as split
    from tests.nbtools import NAMES, read, source_path

    shown, withheld = [], []
    for name in NAMES:
        for cell in read(source_path(name)).cells:
            if cell.cell_type != "code" or "### BEGIN HIDDEN TESTS" not in cell.source:
                continue
            for part in split(cell.source):
                if not part["hidden"]:
                    continue
                for node in ast.walk(ast.parse(part["source"])):
                    if not (
                        isinstance(node, ast.Call) and getattr(node.func, "attr", "").startswith("assert_")
                    ):
                        continue
                    label = next((k.value for k in node.keywords if k.arg == "name"), None)
                    text = ast.unparse(label) if label is not None else ""
                    err = AssertionError("x")
                    err.check_name = label.value if isinstance(label, ast.Constant) else f"{text} 0"
                    words = _hidden_name(err)
                    assert not any(ch.isdigit() for ch in words), (name, words)
                    (shown if words != "a hidden check" else withheld).append((name, text))
    assert shown, "no hidden check of the course has a name that can be shown"
    print(f"hidden check names shown: {len(shown)}, withheld (they hold a digit or a value): {len(withheld)}")
