"""autograder.results.pages: each graded notebook's two files in OUT, replaced on a regrade."""

from __future__ import annotations

from autograder.results.pages import write_notebook_outputs
from autograder.results.scoring import NotebookResult


def test_a_regraded_notebook_that_cannot_run_leaves_no_executed_copy_of_the_earlier_hand_in(tmp_path):
    old = tmp_path / "autograded" / "ada" / "a1" / "a1.ipynb"
    old.parent.mkdir(parents=True)
    old.write_text("{}")  # the executed notebook of ada's first hand-in
    kept = tmp_path / "autograded" / "bob" / "a1" / "a1.ipynb"
    kept.parent.mkdir(parents=True)
    kept.write_text("{}")
    result = NotebookResult("ada", "a1", "a1", 3.0, status="missing")
    result.problems = [{"kind": "missing", "detail": "a1.ipynb was not handed in <b>"}]
    write_notebook_outputs(tmp_path, result, None, None)
    assert not old.exists() and kept.exists()  # formgrader must not show ada's old notebook
    page = (tmp_path / "feedback" / "ada" / "a1" / "a1.html").read_text()
    assert "a1 (Score: 0 / 3)" in page and "a1.ipynb was not handed in &lt;b&gt;" in page
