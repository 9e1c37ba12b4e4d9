"""Attacks 7 and 9 of issue 19: an exercise answered by the library under another name, graded with honest students.

Attack 7: 06's ``svm_loss_grad_W`` and ``softmax_loss_grad_W`` take the scores gradient (their crux)
from ``helpers.losses.svm_loss`` / ``softmax_loss``, notebook 04's answers. Attack 9: 04's
``hinge_losses_naive`` and ``cross_entropy`` loop over the rows with ``loss_figures._hinge_and_ce``,
the figure module's one-example losses (as reported, and with today's signature, the figure's own
default loss functions). Each hostile notebook is the perfect one with those two answers replaced;
it must score exactly what the perfect notebook with those two answers left untouched scores, test
by test, while honest students beside it keep their exact scores. Graded with
``python -m autograder grade`` on the real course (the library each sandbox gets stubs those answers).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.receive.course import find_assignments
from tests.autograder.support import ROOT, grade_cli, need_sandbox

A4, A6 = "04_losses", "06_gradients"

ATTACK7 = {
    "svm_loss_grad_W": '''
def svm_loss_grad_W(W, X, y, reg):
    """The scores gradient from notebook 04's library answer."""
    from helpers.losses import svm_loss

    loss, dscores = svm_loss(X @ W, y)
    return float(loss + reg * np.sum(W * W)), X.T @ dscores + 2 * reg * W
''',
    "softmax_loss_grad_W": '''
def softmax_loss_grad_W(W, X, y, reg):
    """The scores gradient from notebook 04's library answer."""
    from helpers.losses import softmax_loss

    loss, dscores = softmax_loss(X @ W, y)
    return float(loss + reg * np.sum(W * W)), X.T @ dscores + 2 * reg * W
''',
}

ONE_EXAMPLE = '''
def _one(s, t, margin=1.0):
    """Hinge and cross-entropy of one example, from the figure module."""
    from helpers import loss_figures

    try:
        return loss_figures._hinge_and_ce(s, t, margin)  # as reported (issue 19, attack 9)
    except TypeError:  # today's signature: with the figure's own default loss functions
        own = loss_figures.plot_loss_vs_correct_score.__kwdefaults__
        return loss_figures._hinge_and_ce(s, t, margin, own["hinge_losses"], own["cross_entropy"])
'''

ATTACK9 = {
    "hinge_naive": ONE_EXAMPLE
    + """

def hinge_losses_naive(scores, y, margin=1.0):
    return np.array([_one(s, t, margin)[0] for s, t in zip(scores, y)])
""",
    "cross_entropy": ONE_EXAMPLE
    + """

def cross_entropy(scores, y):
    return float(np.mean([_one(s, t)[1] for s, t in zip(scores, y)]))
""",
}


def _nb(folder: str, name: str):
    return nbformat.read(str(ROOT / folder / name / f"{name}.ipynb"), as_version=4)


def _gid(cell) -> str | None:
    return (cell.metadata.get("nbgrader") or {}).get("grade_id")


def _answers(nb, answers: dict[str, str]):
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in nb.cells:
        if _gid(cell) in answers:
            cell.source = answers[_gid(cell)].strip()
    return nb


def _write(folder: Path, student: str, assignment: str, nb) -> None:
    path = folder / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    ready = find_assignments(ROOT / "source")
    if A4 not in ready or A6 not in ready or not (ROOT / "release" / A6).is_dir():
        pytest.fail("source/ and release/ of 04_losses and 06_gradients are needed (make source)")
    folder = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("out")
    for name, attack, number in ((A4, ATTACK9, 9), (A6, ATTACK7, 7)):
        release, source = _nb("release", name), _nb("source", name)
        perfect = demo.solve(release, source)
        stubs = {_gid(c): c.source for c in release.cells if _gid(c) in attack}
        _write(folder, "perfect", name, perfect)
        _write(folder, "partial", name, demo.solve(release, source, fraction=0.5))
        _write(folder, "untouched", name, release)
        _write(folder, "without", name, _answers(perfect, stubs))  # those two answers left untouched
        _write(folder, f"attack{number}", name, _answers(perfect, attack))
    return grade_cli(folder, out, "--workers", "2", "--timeout", "60", timeout=1800)["nbs"]


def _tests(result) -> dict[str, tuple]:
    return {c["grade_id"]: (c["status"], c["score"]) for c in result["cells"] if c["kind"] == "test"}


@pytest.mark.parametrize(
    ("student", "name", "exercises"),
    [
        ("attack7", A6, ("svm_loss_grad_W_tests", "softmax_loss_grad_W_tests")),
        ("attack9", A4, ("hinge_naive_tests", "cross_entropy_tests")),
    ],
)
def test_an_answer_taken_from_the_library_scores_like_no_answer(graded, student, name, exercises):
    hostile, without, perfect = (graded[(s, name)] for s in (student, "without", "perfect"))
    assert hostile["score"] == without["score"] < perfect["score"], (hostile["score"], without["score"])
    assert _tests(hostile) == _tests(without)
    for grade_id in exercises:
        assert _tests(hostile)[grade_id][1] == 0, _tests(hostile)
        assert _tests(perfect)[grade_id][1] > 0


def test_honest_students_keep_their_exact_scores(graded):
    assert graded[("perfect", A4)]["score"] == 13 and graded[("perfect", A6)]["score"] == 11
    assert graded[("untouched", A4)]["score"] == 0 and graded[("untouched", A6)]["score"] == 0
    assert graded[("partial", A4)]["score"] == 8
    assert 0 < graded[("partial", A6)]["score"] < 11
