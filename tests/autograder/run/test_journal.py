"""autograder.run.journal: what an interrupted run graded is taken back only for the very same job.

(The whole path, SIGINT to a grading run and the rerun, is in tests/autograder/run/test_cluster.py.)
"""

from __future__ import annotations

from types import SimpleNamespace

from autograder.isolate.limits import Limits
from autograder.results.scoring import CellResult, NotebookResult
from autograder.run.journal import NAME, Journal, job_digest


def job(student="ada", source="def square(x):\n    return x * x", files=None):
    prepared = {"cells": [{"cell_type": "code", "source": source}], "metadata": {}}
    return SimpleNamespace(
        student=student,
        assignment="a1_squares",
        spec=SimpleNamespace(name="a1_squares"),
        prepared=prepared,
        evaluator_job={"cells": [{"kind": "test", "source": "assert square(3) == 9"}]},
        files=files or {},
        events=[],
    )


def result(student="ada") -> NotebookResult:
    r = NotebookResult(student, "a1_squares", "a1_squares", 6.0, seconds=1.25, evaluator_cpu=0.2)
    r.cells = [
        CellResult("square_tests", "test", 2.0, 2.0, "passed"),
        CellResult("why", "manual", 1.0, None, "manual"),
    ]
    r.problems = [{"kind": "restored", "detail": "test cell restored"}]
    return r


def test_a_recorded_notebook_comes_back_for_the_same_job_only(tmp_path):
    limits = Limits(timeout=5)
    digest = job_digest(job(), limits, "v1")
    first = Journal(tmp_path)
    assert not first.resuming
    first.record(result(), digest)
    first.close()
    again = Journal(tmp_path)
    assert again.resuming
    back = again.finished(job(), digest)
    assert back is not None and back.as_dict() == result().as_dict() and back.student == "ada"
    assert back.score == 2.0
    # any change to what the grade depends on grades the notebook again
    assert job_digest(job(source="def square(x):\n    return x"), limits, "v1") != digest
    assert job_digest(job(), Limits(timeout=6), "v1") != digest
    assert job_digest(job(), limits, "v2") != digest
    assert again.finished(job(student="bob"), digest) is None
    again.remove()
    assert not (tmp_path / NAME).exists()


def test_a_digest_covers_the_assignment_files(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("1,2\n")
    before = job_digest(job(files={"data.csv": data}), Limits(), "v1")
    data.write_text("1,3\n")
    assert job_digest(job(files={"data.csv": data}), Limits(), "v1") != before


def test_a_line_cut_short_is_graded_again(tmp_path):
    j = Journal(tmp_path)
    j.record(result("ada"), "d-ada")
    j.record(result("bob"), "d-bob")
    j.close()
    text = (tmp_path / NAME).read_text()
    (tmp_path / NAME).write_text(text[: len(text) - 20])  # the coordinator died while writing bob
    back = Journal(tmp_path)
    assert back.finished(job("ada"), "d-ada") is not None
    assert back.finished(job("bob"), "d-bob") is None
