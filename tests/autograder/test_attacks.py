"""Attacks 1-16 of issue 10 against the trusted evaluator, on the real course, in one grading run.

Each hostile notebook is 04_losses (or 02_activations) as handed out, or with wrong answers, plus one
attack; honest students (perfect, partial) are graded in the same run. Each attack must score
exactly what the same notebook scores without it, no feedback may hold a hidden test (in clear or
base64), and the honest students keep their exact scores. Attacks 5 and 12 were not in the issue's
table of breaks (they did not break the old guard); here they are: an AST transformer that drops
asserts, and a fake ``helpers.testing`` module in ``sys.modules``.

Attack 6 of issue 19 rides along on 02_activations: ``np.seterr(all="ignore")`` in the student's kernel,
then the textbook sigmoid and an ``np.exp(x)`` ELU. A warning is only the student's kernel's to show,
so the graded checks judge values (the textbook sigmoid is wrong at x = -720); the notebook scores
exactly what the same answers score without ``np.seterr``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.grade import grade
from autograder.isolate.limits import Limits
from autograder.receive.course import find_assignments
from tests.autograder.support import need_sandbox

ROOT = Path(__file__).resolve().parents[2]
A4, A2 = "04_losses", "02_activations"

PATCH_TESTING = """
import helpers.testing as _ht
for _name in ('assert_close', 'assert_scalar', 'assert_shape', 'assert_equal', 'assert_dtype', 'assert_grad_close', 'assert_true'):
    setattr(_ht, _name, lambda *a, **k: None)
_ht.check_own_work = lambda fn, *a, forbidden=None, allowed=None, **k: fn(*a, **k)
""".strip()

PATCH_NUMPY = """
import numpy
numpy._core.numeric.isclose = lambda *a, **k: True
numpy.isclose = lambda *a, **k: True
numpy.allclose = lambda *a, **k: True
numpy.all = lambda *a, **k: True
""".strip()

# attack number -> (base notebook: untouched | wrong | perfect, code of one extra cell, answers replaced)
ATTACKS = {
    1: ("untouched", "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)", {}),
    2: ("untouched", "get_ipython()._showtraceback = lambda *a, **k: None", {}),
    3: (
        "untouched",
        "get_ipython().input_transformer_manager.line_transforms.append(\n"
        "    lambda L: ['pass\\n'] if any('testing.' in l for l in L) else L)",
        {},
    ),
    4: (
        "untouched",
        "_ip = get_ipython()\n_orig = _ip.transform_cell\n"
        "_ip.transform_cell = lambda cell: 'pass\\n' if 'testing.' in cell else _orig(cell)",
        {},
    ),
    5: (
        "wrong",
        "import ast\nclass _NoAsserts(ast.NodeTransformer):\n    def visit_Assert(self, node):\n"
        "        return ast.Pass()\nget_ipython().ast_transformers.append(_NoAsserts())\n" + PATCH_TESTING,
        {},
    ),
    6: ("wrong", "__autograder_guard = lambda ns: None\n" + PATCH_TESTING, {}),
    7: (
        "wrong",
        "try:\n    for _c in __autograder_guard.__closure__ or ():\n        _v = _c.cell_contents\n"
        "        if isinstance(_v, dict):\n            _v.clear()\nexcept Exception:\n    pass\n"
        + PATCH_TESTING,
        {},
    ),
    8: ("wrong", PATCH_NUMPY, {}),
    9: (
        "wrong",
        "import threading, time\ndef _again():\n    while True:\n"
        + textwrap.indent(PATCH_NUMPY + "\n" + PATCH_TESTING, "        ")
        + "\n        time.sleep(0.002)\nthreading.Thread(target=_again, daemon=True).start()",
        {},
    ),
    10: (
        "wrong",
        "import signal\ndef _handler(*_):\n"
        + textwrap.indent(PATCH_NUMPY + "\n" + PATCH_TESTING, "    ")
        + "\nsignal.signal(signal.SIGALRM, _handler)\nsignal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)",
        {},
    ),
    11: (
        "wrong",
        "def _again(*a, **k):\n"
        + textwrap.indent(PATCH_NUMPY + "\n" + PATCH_TESTING, "    ")
        + "\n_again.__module__ = 'helpers.testing'\nget_ipython().events.register('pre_run_cell', _again)",
        {},
    ),
    12: (
        "wrong",
        "import sys, types\n_fake = types.ModuleType('helpers.testing')\n"
        "_fake.__getattr__ = lambda name: (lambda *a, **k: a[0](*a[1:], **k) if name == 'check_own_work' else None)\n"
        "sys.modules['helpers.testing'] = _fake\nimport helpers\nhelpers.testing = _fake\ntesting = _fake",
        {},
    ),
}

PEEK = """
import sys
import numpy as np


class _Peek:
    def _want(self):
        f = sys._getframe(1)
        while f is not None:
            for k in ("expected", "want", "desired", "_expected"):
                if k in f.f_locals:
                    return np.asarray(f.f_locals[k], dtype=float)
            f = f.f_back
        return np.zeros(())

    def __array__(self, dtype=None, copy=None):
        return self._want()

    @property
    def shape(self):
        return self._want().shape

    def __float__(self):
        return float(self._want())

    def __eq__(self, other):
        return True

    __le__ = __ge__ = __lt__ = __gt__ = __eq__


def {name}(*args, **kwargs):
    return _Peek()
"""

DELEGATE = """
def {name}(*args, **kwargs):
    import sys
    sys.setprofile(None)
    from helpers import losses
    return {call}
"""

DELEGATE_CACHE = """
def {name}(*args, **kwargs):
    import helpers.testing as t
    t._guard_files.cache_clear()
    t._guard_files.__wrapped__.__code__ = (lambda forbidden, allowed: ({{}}, frozenset())).__code__
    from helpers import losses
    return {call}
"""

LIBRARY_CALLS = {
    "hinge_naive": ("hinge_losses_naive", "losses.svm_loss_per_example(*args, **kwargs)"),
    "hinge_vec": ("hinge_loss", "float(losses.svm_loss(*args, **kwargs)[0])"),
    "softmax": ("softmax_probs", "losses.softmax(*args)"),
    "cross_entropy": ("cross_entropy", "float(losses.softmax_loss(*args)[0])"),
    "triplet": ("triplet", "float(losses.triplet_loss(*args, **kwargs)[0])"),
}

LEAK = """
def _leak():
    import base64, inspect, sys
    texts = []
    f = sys._getframe(1)
    while f is not None:
        try:
            texts.append(inspect.getsource(f.f_code))
        except Exception:
            pass
        for key in ("_ih", "In", "_i", "_ii"):
            texts.append(str(f.f_globals.get(key, ""))[-20000:])
        f = f.f_back
    print("LEAK" + base64.b64encode("\\n".join(texts).encode()).decode())


"""

WRONG = {
    "hinge_vec": "import numpy as np\ndef hinge_loss(scores, y, margin=1.0):\n"
    "    return float(np.maximum(0, scores - scores[np.arange(len(y)), y][:, None] + margin).sum())",
    "cross_entropy": "import numpy as np\ndef cross_entropy(scores, y):\n"
    "    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)\n"
    "    return float(-np.mean(np.log10(p[np.arange(len(y)), y])))",
}


# issue 19, attack 6: the textbook formulas, whose only fault at +-1000 is a warning (and, for the
# sigmoid, the value 0 at x = -720)
NAIVE_02 = {
    "sigmoid": "def sigmoid(x):\n    return 1.0 / (1.0 + np.exp(-x))\n",
    "elu": (
        "def elu(x, alpha=1.0):\n"
        "    return np.where(x >= 0, x, alpha * (np.exp(x) - 1))\n\n\n"
        "def elu_grad(x, alpha=1.0):\n"
        "    return np.where(x >= 0, 1.0, alpha * np.exp(x))\n"
    ),
}


def _nb(folder: str, name: str):
    return nbformat.read(str(ROOT / folder / name / f"{name}.ipynb"), as_version=4)


def _answers(nb, answers: dict[str, str]):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _with_cell(nb, code: str):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    at = next(
        i for i, c in enumerate(nb.cells) if (c.metadata.get("nbgrader") or {}).get("grade_id") == "setup"
    )
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    return nb


def _write(folder: Path, student: str, assignment: str, nb) -> None:
    path = folder / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def build_class(folder: Path) -> dict[str, str]:
    """Write the class; return {student: what their 04_losses must score like}."""
    release4, source4 = _nb("release", A4), _nb("source", A4)
    perfect4 = demo.solve(release4, source4)
    bases = {"untouched": release4, "wrong": _answers(perfect4, WRONG), "perfect": perfect4}
    for name, nb in bases.items():
        _write(folder, name, A4, nb)
    _write(folder, "partial", A4, demo.solve(release4, source4, fraction=0.5))
    expect = {}
    for number, (base, code, answers) in ATTACKS.items():
        student = f"attack{number:02d}"
        _write(folder, student, A4, _with_cell(_answers(bases[base], answers), code))
        expect[student] = base
    peek = {gid: PEEK.format(name=name) for gid, (name, _) in LIBRARY_CALLS.items()}
    _write(folder, "attack13", A4, _answers(release4, peek))
    expect["attack13"] = "untouched"
    for number, template in ((14, DELEGATE), (15, DELEGATE_CACHE)):
        answers = {gid: template.format(name=name, call=call) for gid, (name, call) in LIBRARY_CALLS.items()}
        _write(folder, f"attack{number}", A4, _answers(release4, answers))
        expect[f"attack{number}"] = "untouched"
    leak = {}
    for cell in perfect4.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in LIBRARY_CALLS:
            leak[gid] = LEAK + cell.source.replace("):\n", "):\n    _leak()\n", 1)
    _write(folder, "attack16", A4, _answers(perfect4, leak))
    expect["attack16"] = "perfect"
    # the same first attacks on 02_activations, beside an honest student
    release2, source2 = _nb("release", A2), _nb("source", A2)
    _write(folder, "perfect", A2, demo.solve(release2, source2))
    _write(folder, "untouched", A2, release2)
    _write(folder, "attack01", A2, _with_cell(release2, ATTACKS[1][1]))
    naive2 = _answers(demo.solve(release2, source2), NAIVE_02)
    _write(folder, "naive", A2, naive2)
    _write(folder, "seterr", A2, _with_cell(naive2, 'np.seterr(all="ignore")'))
    return expect


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    ready = find_assignments(ROOT / "source")
    if A4 not in ready or A2 not in ready or not (ROOT / "release" / A4).is_dir():
        pytest.fail("source/ and release/ of 02_activations and 04_losses are needed (make source)")
    folder = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("out")
    expect = build_class(folder)
    logged = []
    limits = Limits(timeout=20, grace=3)
    outcome = grade(
        folder, out, course_root=ROOT, workers=2, limits=limits, progress=False, log=logged.append
    )
    assert not [line for line in logged if "stripped helpers" in line], logged  # tools/strip.py is used
    scores = {(r.student, r.notebook): r for r in outcome.results}
    return {"out": out, "scores": scores, "expect": expect, "outcome": outcome}


def test_honest_students_keep_their_exact_scores(graded):
    s = graded["scores"]
    assert s[("perfect", A4)].score == 13 and s[("perfect", A2)].score == 13  # 02: 13 autograded points
    assert s[("untouched", A4)].score == 0 and s[("untouched", A2)].score == 0
    assert s[("partial", A4)].score == 8
    assert 0 < s[("wrong", A4)].score < 13


@pytest.mark.parametrize("number", range(1, 17))
def test_each_attack_scores_what_the_notebook_scores_without_it(graded, number):
    student = f"attack{number:02d}"
    result = graded["scores"][(student, A4)]
    base = graded["scores"][(graded["expect"][student], A4)]
    assert result.score == base.score, [(c.grade_id, c.status, c.reason[:200]) for c in result.cells]
    assert [c.status for c in result.cells] == [c.status for c in base.cells]
    if number == 1:
        assert graded["scores"][(student, A2)].score == 0


def test_silencing_numpy_warnings_wins_no_point(graded):
    """Attack 6 of issue 19: np.seterr(all="ignore") changes no score; the textbook sigmoid still fails."""
    s = graded["scores"]
    naive, seterr = s[("naive", A2)], s[("seterr", A2)]
    assert [(c.grade_id, c.score) for c in seterr.cells] == [(c.grade_id, c.score) for c in naive.cells]
    cells = {c.grade_id: c for c in seterr.cells}
    assert cells["sigmoid_tests"].score == 0 and "sigmoid(-720)" in cells["sigmoid_tests"].reason
    assert seterr.score == s[("perfect", A2)].score - cells["sigmoid_tests"].points


def test_the_evaluator_says_why_a_non_plain_answer_fails(graded):
    reasons = {c.grade_id: c.reason for c in graded["scores"][("attack13", A4)].cells}
    assert "hinge_loss returned a _Peek object; expected a number" in reasons["hinge_vec_tests"]


def _hidden_lines() -> set[str]:
    """Lines of the hidden tests (12 characters or more) that the released notebooks do not show."""
    lines, visible = set(), set()
    for name in (A4, A2):
        for cell in _nb("release", name).cells:
            visible |= {line.strip() for line in cell.source.split("\n")}
        for cell in _nb("source", name).cells:
            inside = False
            for line in cell.source.split("\n"):
                if "BEGIN HIDDEN TESTS" in line:
                    inside = True
                elif "END HIDDEN TESTS" in line:
                    inside = False
                elif inside and len(line.strip()) >= 12 and not line.strip().startswith("#"):
                    lines.add(line.strip())
    return lines - visible


def test_no_feedback_holds_a_hidden_test_in_clear_or_in_base64(graded):
    hidden = _hidden_lines()
    assert len(hidden) > 40
    pages = sorted((graded["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["scores"])
    leaked_something = False
    for page in pages:
        text = page.read_text()
        decoded = []
        for blob in re.findall(r"LEAK([A-Za-z0-9+/=]+)", text):
            leaked_something = True
            try:
                decoded.append(base64.b64decode(blob).decode(errors="replace"))
            except (binascii.Error, ValueError):
                pass
        for line in hidden:
            assert line not in text, (page, line)
            assert not any(line in d for d in decoded), (page, line)
    assert leaked_something, "attack 16 should print what it found (nothing hidden)"
