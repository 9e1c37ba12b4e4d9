"""tools/student/submit.py as the bundle ships it: the documented `python3 submit.py NOTEBOOK` (item 7 of issue 20).

A solved notebook in a fresh bundle: every visible check passes, and the zip it writes, given to
the autograder as it is, earns every autograded point. An untouched one: what fails, what is not
written yet and which written answers are empty, said in plain words, and a zip all the same.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.grade import grade
from autograder.isolate.limits import Limits
from autograder.receive import intake
from tests.autograder.support import need_sandbox
from tests.nbtools import ROOT
from tests.test_bundle import student_env, unpack, with_solutions
from tools import bundle
from tools.student import submit

NAME = "01_architecture"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The bundle as released up to 01, unpacked."""
    tmp = tmp_path_factory.mktemp("bundle")
    bundle.build_bundle(tmp / "bundle.zip", upto="01")
    return unpack(tmp / "bundle.zip", tmp)


def documented_command(course: Path) -> list[str]:
    """The hand-in command of the bundle's README, with this Python for `python3`."""
    readme = (course / "README.md").read_text()
    (line,) = [ln.strip() for ln in readme.splitlines() if ln.strip().startswith("python3 submit.py")]
    assert line == f"python3 submit.py {NAME}"
    return [sys.executable, *line.split()[1:]]


def run(course: Path, tmp_path: Path, args: list[str], stdin: str = ""):
    import subprocess

    env = student_env(tmp_path, Path(sys.executable)) | {"PYTHONPATH": str(course)}  # the bundle's helpers
    return subprocess.run(args, cwd=course, env=env, input=stdin, capture_output=True, text=True, timeout=600)


def test_a_solved_notebook_passes_and_its_zip_earns_every_autograded_point(course, tmp_path):
    need_sandbox()
    notebook = course / NAME / f"{NAME}.ipynb"
    with_solutions(NAME, notebook)
    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:  # a written answer, for the person who grades it
        if cell.cell_type == "markdown" and "YOUR ANSWER HERE" in cell.source:
            cell.source = "Without a nonlinearity the layers compose to one linear map."
    nbformat.write(nb, notebook)
    before = notebook.read_bytes()
    done = run(course, tmp_path, documented_command(course), stdin="ada\n")
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Your student id, exactly as your instructor gave it" in out
    assert "Visible checks of 01_architecture: 5 of 5 pass (10 points of 10 points;" in out
    assert "- neuron_tests, 2 points: passes." in out and "fails" not in out
    assert "Not written yet" not in out and "still empty" not in out
    assert (
        "Wrote submit/01_architecture.zip for student ada: hand in this file as your instructor asks." in out
    )
    assert not re.search(r"\x1b\[", out)  # no colour codes: words say it
    assert notebook.read_bytes() == before  # the student's file is never changed
    assert (course / "student-id.txt").read_text() == "ada\n"
    handed_in = course / "submit" / f"{NAME}.zip"
    with zipfile.ZipFile(handed_in) as zf:
        assert zf.namelist() == [f"ada/{NAME}/{NAME}.ipynb"]
        assert zf.read(f"ada/{NAME}/{NAME}.ipynb") == before

    outcome = grade(
        handed_in, tmp_path / "graded", course_root=ROOT, workers=1, limits=Limits(timeout=60), progress=False
    )
    (result,) = outcome.results
    tests = [c for c in result.cells if c.kind == "test"]
    assert (result.student, result.notebook, result.problems) == ("ada", NAME, [])
    assert [c.status for c in tests] == ["passed"] * 5 and result.score == 10.0
    assert [c.status for c in result.cells if c.kind == "manual"] == ["manual"]  # waits for a person
    report = json.loads((tmp_path / "graded" / "report.json").read_text())
    assert report["warnings"] == []


def test_an_untouched_notebook_is_told_what_fails_and_still_packed(course, tmp_path):
    fresh = tmp_path / "fresh"
    bundle.build_bundle(tmp_path / "b.zip", upto="01")
    course = unpack(tmp_path / "b.zip", fresh)
    done = run(course, tmp_path, [sys.executable, "submit.py", "01", "--student", "bob"])
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert (
        "Visible checks of 01_architecture: 0 of 5 pass (0 points of 10 points; hidden tests check more when it is graded)."
        in lines
    )
    assert any(
        ln.startswith("- neuron_tests, 2 points: fails. NameError")
        or ln.startswith("- neuron_tests, 2 points: fails. NotImplementedError")
        for ln in lines
    ), lines
    assert (
        "Not written yet: neuron, layer_loops, layer_vectorized, forward_binary, forward_multiclass." in lines
    )
    assert "Written answers still empty (graded by your instructor): q_depth." in lines
    assert "WARNING" not in done.stdout + done.stderr  # no kernel noise (local sockets, not TCP)
    assert lines[-1] == "You may hand it in as it is, or fix what fails, save, and run this command again."
    with zipfile.ZipFile(course / "submit" / "01_architecture.zip") as zf:
        assert zf.namelist() == ["bob/01_architecture/01_architecture.ipynb"]


def test_a_run_over_its_time_says_so(course, tmp_path):
    done = run(course, tmp_path, [sys.executable, "submit.py", NAME, "--student", "ada", "--timeout", "1"])
    assert (
        "Note: the notebook took longer than 1 seconds in all, so it was stopped; the grader would stop it too."
        in done.stdout
    )


def test_bad_names_and_ids_are_refused_saying_what_is_expected(course, tmp_path):
    wrong = run(course, tmp_path, [sys.executable, "submit.py", "09_nothing", "--student", "ada"])
    assert wrong.returncode == 1
    assert "No notebook '09_nothing' in this folder. Give one of: 01_architecture" in wrong.stderr
    bad = run(course, tmp_path, [sys.executable, "submit.py", NAME, "--student", "ada,1\nx"])
    assert bad.returncode == 1 and "is not a valid student id (letters, digits and . _ @ + -" in bad.stderr
    assert submit.STUDENT_ID.pattern == intake.STUDENT_ID.pattern  # what the autograder accepts
    assert submit.STUDENT_ID_RULE == intake.STUDENT_ID_RULE


def test_it_continues_in_the_courses_environment(course, tmp_path):
    """With .venv set up (install.py), another Python hands over to .venv's."""
    fake = course / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\necho "venv python: $@"\nexit 3\n')
    fake.chmod(0o755)
    try:
        done = run(course, tmp_path, [sys.executable, "submit.py", NAME])
    finally:
        import shutil

        shutil.rmtree(course / ".venv")
    assert done.returncode == 3 and done.stdout == f"venv python: {course / 'submit.py'} {NAME}\n"


def test_the_top_readmes_student_guide_command(tmp_path):
    """README.md's *Submit* command, as written there, in a bundle released up to 04."""
    readme = (
        (ROOT / "README.md")
        .read_text()
        .split("<!-- student-guide -->")[1]
        .split("<!-- /student-guide -->")[0]
    )
    (line,) = [ln.split("#")[0].strip() for ln in readme.splitlines() if ln.startswith("python3 submit.py")]
    assert line == "python3 submit.py 04_losses"
    bundle.build_bundle(tmp_path / "b.zip", upto="04", solved="03")
    course = unpack(tmp_path / "b.zip", tmp_path / "unpacked")
    done = run(course, tmp_path, [sys.executable, *line.split()[1:]], stdin="ada\n")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Visible checks of 04_losses: 0 of 5 pass (0 points of 13 points;" in done.stdout
    with zipfile.ZipFile(course / "submit" / "04_losses.zip") as zf:
        assert zf.namelist() == ["ada/04_losses/04_losses.ipynb"]
