"""tools/formgrade.py: the formgrader on a folder the autograder graded (make formgrade GRADED=...).

A student hands in 01 with every answer (the instructor's version); the autograder grades it into a
temporary folder; tools.formgrade serves that folder in JupyterLab, and headless chromium shows the
submission marked "needs manual grade" and its written answers with empty score boxes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.nbtools import ROOT, source_path
from tests.test_browser import ARTIFACTS, api, browser, lab_env, serve_lab  # noqa: F401 (browser: fixture)
from tools import formgrade

NAME = "01_architecture"


def written_answers(name: str) -> list[str]:
    """grade_ids of the manually graded answers (markdown cells graded by a person)."""
    nb = nbformat.read(source_path(name), as_version=4)
    return [
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.cell_type == "markdown"
        and c.metadata.get("nbgrader", {}).get("grade")
        and c.metadata["nbgrader"].get("solution")
    ]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The autograder's --out folder for one student, ada, who handed in 01 complete."""
    tmp = tmp_path_factory.mktemp("formgrade")
    hand_in = tmp / "submitted" / "ada" / NAME
    hand_in.mkdir(parents=True)
    shutil.copy(source_path(NAME), hand_in / f"{NAME}.ipynb")
    out = tmp / "graded"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "grade",
            str(tmp / "submitted"),
            "--out",
            str(out),
            "--no-progress",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return out


def test_prepare_makes_a_course_folder_of_the_graded_one(tmp_path):
    out = tmp_path / "graded"
    (out / "autograded").mkdir(parents=True)
    (out / "gradebook.db").touch()
    config = formgrade.prepare(out)
    assert (out / "source").resolve() == (ROOT / "source").resolve()
    text = config.read_text()
    assert f"c.CourseDirectory.root = {str(out.resolve())!r}" in text
    assert f"sqlite:///{out.resolve() / 'gradebook.db'}" in text
    assert str(ROOT / "nbgrader_config.py") in text  # the course's settings (feedback without hidden tests)
    formgrade.prepare(out, "postgresql://grader@db/nn_basics")  # again: its own files are replaced
    assert "postgresql://grader@db/nn_basics" in config.read_text()


def test_prepare_refuses_other_folders_and_foreign_files(tmp_path):
    with pytest.raises(SystemExit, match="no autograded/ folder"):
        formgrade.prepare(tmp_path)
    (tmp_path / "autograded").mkdir()
    with pytest.raises(SystemExit, match="no gradebook.db"):
        formgrade.prepare(tmp_path)
    (tmp_path / "gradebook.db").touch()
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(SystemExit, match="not replacing it"):
        formgrade.prepare(tmp_path)
    assert (tmp_path / "nbgrader_config.py").read_text() == "c = get_config()\n"


def test_lab_command_opens_manual_grading(tmp_path):
    command = formgrade.lab_command(tmp_path, ["--no-browser"])
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--LabApp.default_url=/formgrader/gradebook" in command
    assert command[-1] == "--no-browser"


@pytest.fixture(scope="module")
def graded_lab(graded):
    """`python -m tools.formgrade GRADED` (what make formgrade runs) on a loopback port."""
    with serve_lab(
        ["tools.formgrade", str(graded)], cwd=ROOT, env=lab_env(graded), log_path=graded.parent / "lab.log"
    ) as (
        base,
        token,
    ):
        yield base, token


@pytest.mark.browser
@pytest.mark.slow
def test_written_answers_wait_for_manual_grading(graded_lab, browser):  # noqa: F811 (fixture)
    base, token = graded_lab
    expected = written_answers(NAME)
    assert expected, f"{NAME} has no written answers"
    submissions = api(base, token, f"/formgrader/api/submitted_notebooks/{NAME}/{NAME}")
    assert [(s["student"], s["needs_manual_grade"]) for s in submissions] == [("ada", True)]

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # What the instructor's browser opens (the URL JupyterLab prints): manual grading, not /lab.
        page.goto(f"{base}/?token={token}")
        assert page.url.split("?")[0].rstrip("/").endswith("/formgrader/gradebook"), page.url
        # Click through as a person would: assignment, then notebook (the tables load from the API).
        page.locator(f"a:text-is('{NAME}')").first.click(timeout=60_000)
        page.locator(f"a:text-is('{NAME}')").first.click(timeout=60_000)
        row = page.locator("tr", has_text="Submission #1")  # names are hidden until "Show All Names"
        row.first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "formgrade_submissions.png"))
        assert row.first.locator(".needs-manual-grade .glyphicon-ok").count() == 1, row.first.inner_html()
        row.first.locator("a[href*='/formgrader/submissions/']").first.click()
        page.wait_for_selector("input.score", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "formgrade_submission.png"), full_page=True)
        boxes = page.eval_on_selector_all("input.score", "els => els.map(e => [e.id, e.value])")
        waiting = {grade_id for grade_id, value in boxes if value == ""}
        assert set(expected) <= waiting, f"score boxes {boxes}, written answers {expected}"
    finally:
        context.close()
    # Nothing was graded by looking: the gradebook still waits for a person.
    again = api(base, token, f"/formgrader/api/submitted_notebooks/{NAME}/{NAME}")
    assert json.dumps(again[0]["needs_manual_grade"]) == "true"


@pytest.mark.slow
def test_manage_assignments_counts_the_graded_submission(graded_lab):
    """Row 8 of issue 20: formgrader's Manage Assignments, from the running server (on main: 0)."""
    base, token = graded_lab
    assignments = {a["name"]: a for a in api(base, token, "/formgrader/api/assignments")}
    assert assignments[NAME]["num_submissions"] == 1
    students = api(base, token, f"/formgrader/api/submissions/{NAME}")
    assert [(s["student"], s["autograded"]) for s in students] == [("ada", True)]


def test_formgrade_target_and_readme_say_the_same(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    assert "python -m tools.formgrade $(GRADED)" in makefile
    guide = (ROOT / "autograder" / "README.md").read_text()
    assert "make formgrade GRADED=" in guide
    assert "nbgrader formgrader --" not in guide  # no such command in nbgrader 0.9
    assert Path(formgrade.__file__).name == "formgrade.py"
