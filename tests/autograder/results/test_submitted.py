"""autograder.results.submitted: formgrader's Manage Assignments counts what the autograder graded (row 8 of issue 20)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.results import export, submitted
from autograder.results.scoring import CellResult, NotebookResult
from tests.autograder.support import make_course, make_spec, perfect


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


def formgrader_api(out, course, db_url):
    """nbgrader's own API, configured as tools.formgrade configures the graded folder."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    (out / "source").symlink_to(course / "source", target_is_directory=True)
    c = Config()
    c.CourseDirectory.root = str(out)
    c.CourseDirectory.db_url = db_url
    c.CourseDirectory.course_id = "sample-course"
    return NbGraderAPI(CourseDirectory(config=c), config=c)


def result(student, assignment, score):
    r = NotebookResult(student, assignment, assignment, 1.0)
    r.cells = [CellResult("double_tests", "test", 1.0, score, "passed")] if assignment == "a2_double" else []
    return r


def test_formgrader_counts_every_graded_submission_as_autograded(course, tmp_path_factory, tmp_path):
    spec = make_spec(course, tmp_path_factory)
    hand_ins = tmp_path / "in"
    hand_ins.mkdir()
    nb = hand_ins / "a2_double-Copy1.ipynb"
    nbformat.write(perfect(course, "a2_double"), str(nb))
    results = [
        result("ada", "a2_double", 1.0),
        result("bob", "a2_double", 0.0),
        result("cy", "a1_squares", 0.0),
    ]
    stamps = {("ada", "a2_double"): "2026-12-01 09:30:00.123456 UTC"}
    export.save_to_gradebook(spec.db_url, spec.course_id, results, stamps)
    out = tmp_path / "out"
    for r in results:
        (out / "autograded" / r.student / r.assignment).mkdir(parents=True)
    files = {("ada", "a2_double"): {"a2_double": nb}, ("bob", "a2_double"): {}, ("cy", "a1_squares"): {}}
    (out / "submitted" / "dan" / "a2_double").mkdir(parents=True)  # graded by an earlier run: kept
    submitted.write_submitted(out, files, spec.db_url, spec.course_id)

    ada = out / "submitted" / "ada" / "a2_double"
    assert sorted(p.name for p in ada.iterdir()) == ["a2_double.ipynb", "timestamp.txt"]
    assert (ada / "a2_double.ipynb").read_bytes() == nb.read_bytes()  # as handed in, under its expected name
    assert (ada / "timestamp.txt").read_text() == "2026-12-01 09:30:00.123456"
    assert not (out / "submitted" / "bob" / "a2_double" / "timestamp.txt").exists()
    assert (out / "submitted" / "dan" / "a2_double").is_dir()

    api = formgrader_api(out, course, spec.db_url)
    counts = {a["name"]: a["num_submissions"] for a in api.get_assignments()}
    assert counts == {"a1_squares": 1, "a2_double": 3}  # on main: 0 and 0
    assert api.get_autograded_students("a2_double") == {"ada", "bob"}  # dan: not in this gradebook
    assert api.get_submitted_students("a2_double") == {"ada", "bob", "dan"}
