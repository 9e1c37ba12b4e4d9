"""``python -m autograder``: exit codes, the demo class end to end, the summary table."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from autograder.__main__ import parse, shown_path
from tests.autograder.support import cli, make_course, need_sandbox


def test_arguments_and_defaults():
    args = parse(
        ["grade", "class.zip", "--out", "out", "--workers", "3", "--timeout", "7", "--memory", "900"]
    )
    assert (args.workers, args.timeout, args.memory, args.db) == (3, 7, 900, None)
    assert parse(["demo"]).command == "demo"


def test_output_folder_is_shown_relative_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert str(shown_path(tmp_path / "artifacts" / "graded")) == os.path.join("artifacts", "graded")
    assert shown_path("graded") == shown_path(tmp_path / "graded")
    outside = tmp_path.parent / "elsewhere"
    assert shown_path(outside) == outside.resolve()


def test_grader_that_cannot_run_exits_non_zero_with_the_reason(tmp_path):
    proc = cli("grade", str(tmp_path / "nothing"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "cannot grade" in proc.stderr and "does not exist" in proc.stderr


def test_demo_class_is_graded_with_progress_and_summary(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    out = tmp_path_factory.mktemp("demo")
    proc = cli(
        "demo", "--course", str(course), "--out", str(out), "--assignments", "a2_double", "--timeout", "5"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "grading" in proc.stderr  # the tqdm progress bar
    assert "student" in proc.stdout and "notebooks graded in" in proc.stdout
    rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader((out / "graded" / "grades.csv").open())
            if r["assignment"] == "a2_double"}  # fmt: skip
    assert rows["perfect"] == rows["tidy"] == rows["snoop"] == 1.0
    assert rows["untouched"] == rows["tamperer"] == rows["cheater"] == rows["broken"] == 0.0
    report = json.loads((out / "graded" / "report.json").read_text())
    assert {s["student_id"] for s in report["students"]} >= {"perfect", "crasher", "broken"}
    page = (out / "graded" / "class-report.html").read_text()  # make grade-demo writes the class report
    assert page.count('<img src="data:image/png;base64,') == 2 and "crasher" in page
    assert "class-report.html" in proc.stdout


def test_every_semester_command_of_the_guide_parses():
    """The commands of autograder/README.md's "The semester loop" are real (the tests run each one)."""
    guide = (Path(__file__).resolve().parents[2] / "autograder" / "README.md").read_text()
    section = guide.split("## The semester loop", 1)[1].split("\n## ", 1)[0]
    lines = [
        ln.split("#")[0].split() for ln in section.splitlines() if ln.startswith("python -m autograder ")
    ]
    assert {ln[3] for ln in lines} == {"grade", "feedback", "report"}
    for line in lines:
        args = parse(line[3:])
        assert args.command == line[3]
    graded = parse(lines[0][3:])
    assert graded.student == ["ada", "bob"] and graded.out == Path("grading/")
    assert parse(lines[1][3:]).assignment == ["04_losses"]
    workflow = guide.split("## Instructor's guide", 1)[1].split("\n## How it works", 1)[0]
    blocks = workflow.split("```")[1::2]  # the commands the guide tells the instructor to run
    assert any("python -m autograder feedback grading/" in b for b in blocks)
    assert not [b for b in blocks if "generate_feedback" in b]
