"""autograder.grade end to end: one sample class, graded once in sandboxes, every hostile case in it.

The class (sample course: a1_squares = square 2 + cube 3 + manual 1; a2_double = 1):

* perfect, untouched, wrong (square wrong on a hidden input only), cheater (wrong answers plus
  monkeypatching), tidy (perfect answers, tests tampered), tamperer (untouched answers, tests
  tampered), reorder (tests moved and duplicated);
* disasters in a2_double after a correct answer: os._exit, sys.exit, an infinite loop, a loop that
  swallows KeyboardInterrupt, a 30 GB allocation, a 100 MB print, a segfault;
* snoop (tries to read the gradebook, source/, other hand-ins, to write outside, to use the network);
* broken (not JSON, another assignment's notebook) and missing (empty assignment folder).
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.grade import GraderError, grade
from autograder.isolate.limits import Limits
from tests.autograder.support import (
    CHEAT,
    WRONG_CUBE,
    WRONG_SQUARE,
    cli,
    grade_cli,
    insert_after,
    make_course,
    need_sandbox,
    open_in_chromium,
    perfect,
    release,
    report_notebooks,
    with_answers,
    write,
)

LIMITS = Limits(timeout=5, grace=3, memory_mb=2048)

DISASTERS = {
    "exiter": demo.DISASTERS["exit"],
    "sysexiter": demo.DISASTERS["sysexit"],
    "looper": demo.DISASTERS["loop"],
    "stubborn": "import time\nwhile True:\n    try:\n        time.sleep(0.5)\n    except KeyboardInterrupt:\n        pass",
    "hog": demo.DISASTERS["memory"],
    "printer": demo.DISASTERS["print"],
    "segfault": "import ctypes\nctypes.string_at(0)",
}


def snoop_code(course: Path, submissions: Path, out: Path) -> str:
    targets = [
        str(out / "gradebook.db"),
        str(course / "source" / "a1_squares" / "a1_squares.ipynb"),
        str(submissions / "perfect" / "a1_squares" / "a1_squares.ipynb"),
        str(course),
        "/etc/shadow",
    ]
    return (
        "import os, socket\nfindings = {}\n"
        f"for t in {targets!r}:\n"
        "    try:\n        findings[t] = 'READ ' + str(len(open(t, 'rb').read()) if os.path.isfile(t) else os.listdir(t))\n"
        "    except Exception as err:\n        findings[t] = type(err).__name__\n"
        f"for t in [{str(course / 'escape.txt')!r}, '/usr/escape.txt', '/etc/escape.txt']:\n"
        "    try:\n        open(t, 'w').write('x'); findings[t] = 'WRITTEN'\n"
        "    except Exception as err:\n        findings[t] = type(err).__name__\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2); findings['net'] = 'CONNECTED'\n"
        "except Exception as err:\n    findings['net'] = type(err).__name__\n"
        "print('SNOOP', findings)"
    )


def build_class(course: Path, folder: Path, out: Path) -> None:
    a1, a2 = "a1_squares", "a2_double"
    p1, p2 = perfect(course, a1), perfect(course, a2)
    wrong = with_answers(p1, {"square": WRONG_SQUARE})
    write(folder, "perfect", a1, p1)
    write(folder, "perfect", a2, p2)
    write(folder, "untouched", a1, release(course, a1))
    write(folder, "untouched", a2, release(course, a2))
    write(folder, "wrong", a1, wrong)
    cheater = with_answers(p1, {"square": WRONG_SQUARE, "cube": WRONG_CUBE})
    cheater.cells.insert(0, nbformat.v4.new_code_cell(CHEAT))
    write(folder, "cheater", a1, cheater)
    write(folder, "tidy", a1, demo.tamper(p1))
    write(folder, "tamperer", a1, demo.tamper(release(course, a1)))
    reorder = nbformat.from_dict(p1)
    ids = [(c.metadata.get("nbgrader") or {}).get("grade_id") for c in reorder.cells]
    test = reorder.cells.pop(ids.index("cube_tests"))
    reorder.cells.insert(0, test)
    reorder.cells.append(nbformat.from_dict({**json.loads(json.dumps(test)), "id": "duplicate"}))
    write(folder, "reorder", a1, reorder)
    for student, code in DISASTERS.items():
        write(folder, student, a2, insert_after(p2, "double", code))
    write(folder, "snoop", a2, insert_after(p2, "double", snoop_code(course, folder, out)))
    write(folder, "broken", a1, "this is not JSON {")
    write(folder, "broken", a2, nbformat.writes(release(course, a1)))
    (folder / "missing" / a2).mkdir(parents=True)
    (folder / "perfect" / a1 / ".ipynb_checkpoints").mkdir()
    (folder / "perfect" / a1 / ".ipynb_checkpoints" / "a1_squares-checkpoint.ipynb").write_text("{}")
    (folder / "__MACOSX").mkdir()
    (folder / "wrong" / a1 / "notes.txt").write_text("extra")


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("submitted")
    out = tmp_path_factory.mktemp("out")
    build_class(course, folder, out)
    before = digest(folder)
    outcome = grade(folder, out, course_root=course, workers=2, limits=LIMITS, progress=False)
    report, nbs = report_notebooks(out)
    return {
        "course": course,
        "folder": folder,
        "out": out,
        "outcome": outcome,
        "report": report,
        "nbs": nbs,
        "before": before,
    }


def cells(graded, student, notebook):
    return {c["grade_id"]: c for c in graded["nbs"][(student, notebook)]["cells"]}


def kinds(graded, student, notebook):
    return {p["kind"] for p in graded["nbs"][(student, notebook)]["problems"]}


def test_submissions_are_never_modified(graded):
    assert digest(graded["folder"]) == graded["before"]


def test_perfect_gets_every_autograded_point_and_untouched_gets_none(graded):
    c = cells(graded, "perfect", "a1_squares")
    assert c["square_tests"]["score"] == 2 and c["cube_tests"]["score"] == 3
    assert c["why"]["status"] == "manual" and c["why"]["score"] is None
    assert graded["nbs"][("perfect", "a2_double")]["score"] == 1
    for nb in ("a1_squares", "a2_double"):
        assert graded["nbs"][("untouched", nb)]["score"] == 0
    assert cells(graded, "untouched", "a1_squares")["why"]["status"] == "no_response"


def test_wrong_answer_loses_only_the_failed_test_with_a_useful_reason(graded):
    c = cells(graded, "wrong", "a1_squares")
    assert c["cube_tests"]["score"] == 3
    assert c["square_tests"]["score"] == 0
    reason = c["square_tests"]["reason"]  # which checks failed and how many, never a hidden value
    assert "2 hidden checks failed" in reason and "-4" not in reason and "16" not in reason, reason


def test_monkeypatching_and_fake_prints_gain_nothing(graded):
    c = cells(graded, "cheater", "a1_squares")
    assert c["square_tests"]["score"] == 0, c["square_tests"]
    assert c["cube_tests"]["score"] == 0, c["cube_tests"]


def test_tampered_tests_are_restored_and_run(graded):
    assert graded["nbs"][("tidy", "a1_squares")]["score"] == 5
    assert graded["nbs"][("tamperer", "a1_squares")]["score"] == 0
    assert graded["nbs"][("reorder", "a1_squares")]["score"] == 5
    assert {"restored", "metadata"} <= kinds(graded, "tidy", "a1_squares")
    assert {"moved", "duplicate"} <= kinds(graded, "reorder", "a1_squares")


def test_os_exit_and_segfault_zero_the_remaining_tests_with_the_reason(graded):
    for student in ("exiter", "segfault"):
        c = cells(graded, student, "a2_double")["double_tests"]
        assert c["score"] == 0 and c["status"] == "not_run"
        assert "kernel died" in c["reason"]
        assert "dead" in kinds(graded, student, "a2_double")


def test_sys_exit_is_an_error_in_that_cell_only(graded):
    assert cells(graded, "sysexiter", "a2_double")["double_tests"]["score"] == 1
    assert "exit" in kinds(graded, "sysexiter", "a2_double")


def test_infinite_loop_is_interrupted_and_the_tests_still_run(graded):
    assert cells(graded, "looper", "a2_double")["double_tests"]["score"] == 1
    assert "timeout" in kinds(graded, "looper", "a2_double")


def test_a_kernel_that_ignores_the_interrupt_is_stopped(graded):
    c = cells(graded, "stubborn", "a2_double")["double_tests"]
    assert c["score"] == 0 and "did not respond" in c["reason"]
    assert {"timeout", "unresponsive"} <= kinds(graded, "stubborn", "a2_double")


def test_memory_cap_turns_a_30_gb_allocation_into_a_memory_error(graded):
    assert "memory" in kinds(graded, "hog", "a2_double")
    assert cells(graded, "hog", "a2_double")["double_tests"]["score"] == 1


def test_a_100_mb_print_is_truncated(graded):
    assert "output_truncated" in kinds(graded, "printer", "a2_double")
    assert cells(graded, "printer", "a2_double")["double_tests"]["score"] == 1
    nb = graded["out"] / "autograded" / "printer" / "a2_double" / "a2_double.ipynb"
    assert nb.stat().st_size < 2_000_000


def test_student_code_cannot_read_secrets_write_outside_or_reach_the_network(graded):
    assert graded["nbs"][("snoop", "a2_double")]["score"] == 1
    nb = nbformat.read(str(graded["out"] / "autograded" / "snoop" / "a2_double" / "a2_double.ipynb"), 4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    line = next(line for line in text.splitlines() if line.startswith("SNOOP"))
    assert "READ" not in line and "WRITTEN" not in line and "CONNECTED" not in line, line
    assert not (graded["course"] / "escape.txt").exists()


def test_broken_and_missing_notebooks_score_zero_with_a_clear_problem(graded):
    assert graded["nbs"][("broken", "a1_squares")]["status"] == "malformed"
    other = graded["nbs"][("broken", "a2_double")]
    assert other["status"] == "other_notebook" and "a1_squares" in other["problems"][0]["detail"]
    assert graded["nbs"][("missing", "a2_double")]["status"] == "missing"
    warnings = "\n".join(graded["report"]["warnings"])
    assert "__MACOSX" in warnings and "notes.txt" in warnings and ".ipynb_checkpoints" in warnings


def test_grades_csv_has_nbgraders_columns_and_one_row_per_student_and_assignment(graded):
    rows = list(csv.DictReader((graded["out"] / "grades.csv").open()))
    assert list(rows[0]) == [
        "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
        "raw_score", "late_submission_penalty", "score", "max_score", "problems",
    ]  # fmt: skip
    students = {k[0] for k in graded["nbs"]}
    assert len(rows) == 2 * len(students)
    by = {(r["student_id"], r["assignment"]): r for r in rows}
    assert float(by[("perfect", "a1_squares")]["score"]) == 5.0
    assert float(by[("perfect", "a1_squares")]["max_score"]) == 6.0
    assert float(by[("wrong", "a1_squares")]["score"]) == 3.0
    assert float(by[("wrong", "a2_double")]["score"]) == 0.0  # not handed in
    # the last column says why a score is what it is, in the grader's words first (never a formula)
    assert by[("perfect", "a1_squares")]["problems"] == ""
    assert by[("wrong", "a2_double")]["problems"] == "not handed in"
    assert by[("broken", "a1_squares")]["problems"].startswith(
        "malformed: a1_squares.ipynb: not a Jupyter notebook"
    )
    assert by[("tidy", "a1_squares")]["problems"] == (
        "restored: edited locked cell restored from the gradebook; metadata: nbgrader metadata repaired from the gradebook"
    )
    assert all(r["problems"][:1] not in ("=", "+", "-", "@") for r in rows)


def test_feedback_never_shows_hidden_tests(graded):
    pages = list((graded["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(graded["nbs"])
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in text
        assert "square(-4) == 16" not in text and "cube(np.array([-1.5, 3.0]))" not in text
        assert "double(-1.5) == -3.0" not in text
    wrong = (graded["out"] / "feedback" / "wrong" / "a1_squares" / "a1_squares.html").read_text()
    assert "2 hidden checks failed" in wrong and "square(-4) should be 16" not in wrong


def test_zip_input_grades_like_the_folder_and_a_second_run_gives_the_same_grades(graded, tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for student in ("perfect", "wrong"):
            for path in (graded["folder"] / student).rglob("*.ipynb"):
                if ".ipynb_checkpoints" not in path.parts:
                    zf.write(path, Path("submitted") / path.relative_to(graded["folder"]))
    out = tmp_path / "out"
    grade(archive, out, course_root=graded["course"], workers=2, limits=LIMITS, progress=False)
    first = (out / "grades.csv").read_text()
    grade(archive, out, course_root=graded["course"], workers=2, limits=LIMITS, progress=False)
    assert (out / "grades.csv").read_text() == first
    rows = {
        (r["student_id"], r["assignment"]): r["score"] for r in csv.DictReader((out / "grades.csv").open())
    }
    old = {
        (r["student_id"], r["assignment"]): r["score"]
        for r in csv.DictReader((graded["out"] / "grades.csv").open())
    }
    assert all(old[key] == score for key, score in rows.items())


def test_the_grader_refuses_with_a_reason_when_it_cannot_run(tmp_path, graded):
    with pytest.raises(GraderError, match="does not exist"):
        grade(tmp_path / "nothing", tmp_path / "out", course_root=graded["course"], progress=False)
    with pytest.raises(GraderError, match="no assignments"):
        grade(graded["folder"], tmp_path / "out", course_root=tmp_path, progress=False)


# Issue 20, rows 1 and 3: a regrade into the same OUT loses nothing, and says which scores changed and why.


def files(out: Path, student: str) -> dict[str, bytes]:
    """Every page and executed notebook of a student in OUT, by path."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for sub in ("feedback", "autograded")
        for p in sorted((out / sub / student).rglob("*"))
        if p.is_file()
    }


def entries(out: Path) -> dict:
    report = json.loads((out / "report.json").read_text())
    return {(s["student_id"], a): e for s in report["students"] for a, e in s["assignments"].items()}


def scores_csv(out: Path) -> dict:
    return {
        (r["student_id"], r["assignment"]): float(r["score"])
        for r in csv.DictReader((out / "grades.csv").open())
    }


@pytest.fixture(scope="module")
def semester(tmp_path_factory):
    """ada hands in both assignments (perfect), bob only a2_double (untouched); graded once by the CLI."""
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("semester")
    write(folder, "ada", "a1_squares", perfect(course, "a1_squares"))
    write(folder, "ada", "a2_double", perfect(course, "a2_double"))
    write(folder, "bob", "a2_double", release(course, "a2_double"))
    out = tmp_path_factory.mktemp("semester-out") / "graded"
    first = grade_cli(folder, out, "--course", course, "--timeout", "10")
    return {"course": course, "folder": folder, "out": out, "first": first}


def test_a_first_grading_reports_no_change_and_writes_the_class_report(semester):
    assert "No score changed since the last grading." in semester["first"]["stdout"]
    assert json.loads((semester["out"] / "changes.json").read_text()) == {"changes": []}
    assert "a2_double" in (semester["out"] / "class-report.html").read_text()


def test_regrading_one_student_keeps_everyone_else(semester, tmp_path):
    out, course = semester["out"], semester["course"]
    kept, kept_entries = files(out, "ada"), {k: v for k, v in entries(out).items() if k[0] == "ada"}
    assert len(kept) == 4  # two pages, two executed notebooks
    again = tmp_path / "again"  # bob hands in again, right this time; ada is in this folder too
    write(again, "bob", "a2_double", perfect(course, "a2_double"))
    write(again, "ada", "a2_double", release(course, "a2_double"))
    proc = grade_cli(again, out, "--course", course, "--timeout", "10", "--student", "bob")
    assert files(out, "ada") == kept  # not regraded: not touched
    assert {k: v for k, v in entries(out).items() if k[0] == "ada"} == kept_entries
    assert entries(out)[("bob", "a2_double")]["score"] == 1.0
    assert scores_csv(out) == {("ada", "a1_squares"): 5.0, ("ada", "a2_double"): 1.0,
                               ("bob", "a1_squares"): 0.0, ("bob", "a2_double"): 1.0}  # fmt: skip
    [change] = json.loads((out / "changes.json").read_text())["changes"]
    assert change == {"student": "bob", "assignment": "a2_double", "notebook": "a2_double",
                      "exercise": "double_tests", "old": 0.0, "old_max": 1.0, "new": 1.0, "new_max": 1.0,
                      "why": "hand-in changed"}  # fmt: skip
    assert "double_tests  0 / 1 -> 1 / 1  hand-in changed" in proc["stdout"]
    report = (out / "class-report.html").read_text()
    assert "a1_squares" in report and "a2_double" in report  # the class report shows the whole class


def test_an_assignment_is_selected_by_name_and_an_unknown_one_refused(semester):
    out, course, folder = semester["out"], semester["course"], semester["folder"]
    a1 = {k: v for k, v in files(out, "ada").items() if "a1_squares" in k}
    proc = grade_cli(
        folder, out, "--course", course, "--timeout", "10", "--assignment", "a2_double", "--student", "ada"
    )
    assert {k: v for k, v in files(out, "ada").items() if "a1_squares" in k} == a1
    assert "No score changed since the last grading." in proc["stdout"]
    proc = cli("grade", str(folder), "--out", str(out), "--course", str(course), "--assignment", "a9_nothing")
    assert (
        proc.returncode == 2
        and "unknown assignment a9_nothing: expected one of a1_squares, a2_double" in proc.stderr
    )
    proc = cli("grade", str(folder), "--out", str(out), "--course", str(course), "--student", "nobody")
    assert proc.returncode == 2 and "no hand-in" in proc.stderr


def test_a_changed_test_says_whose_scores_changed(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder = tmp_path_factory.mktemp("points")
    write(folder, "ada", "a2_double", perfect(course, "a2_double"))
    write(folder, "bob", "a2_double", release(course, "a2_double"))
    out = tmp_path_factory.mktemp("points-out")
    grade_cli(folder, out, "--course", course, "--timeout", "10")
    path = course / "source" / "a2_double" / "a2_double.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    [test] = [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("grade_id") == "double_tests"]
    test.metadata["nbgrader"]["points"] = 3  # the instructor makes the test worth 3 points
    nbformat.write(nb, str(path))
    proc = grade_cli(folder, out, "--course", course, "--timeout", "10")
    rows = json.loads((out / "changes.json").read_text())["changes"]
    assert [(r["student"], r["old"], r["old_max"], r["new"], r["new_max"], r["why"]) for r in rows] == [
        ("ada", 1.0, 1.0, 3.0, 3.0, "test changed"),
        ("bob", 0.0, 1.0, 0.0, 3.0, "test changed"),
    ]
    assert "ada      a2_double  double_tests  1 / 1 -> 3 / 3  test changed" in proc["stdout"]
    assert scores_csv(out)[("ada", "a2_double")] == 3.0


def test_report_command_writes_the_class_report_again(semester):
    page = semester["out"] / "class-report.html"
    page.unlink()
    proc = cli("report", str(semester["out"]), "--course", str(semester["course"]))
    assert proc.returncode == 0, proc.stderr
    assert "class report written" in proc.stdout
    text = page.read_text()
    assert '<html lang="en">' in text and text.count('<img src="data:image/png;base64,') == 4
    proc = cli(
        "report", str(semester["out"]), "--course", str(semester["course"]), "--db", "sqlite:////nowhere/x.db"
    )
    assert proc.returncode == 2 and "no gradebook at /nowhere/x.db" in proc.stderr


@pytest.mark.browser
def test_the_graded_class_report_renders_in_chromium(semester):
    seen = open_in_chromium(semester["out"] / "class-report.html")
    assert len(seen["widths"]) == 4 and all(w > 100 for w in seen["widths"]), seen
    assert all(seen["alts"]) and (seen["scripts"], seen["lang"], seen["mains"]) == (0, "en", 1)
    assert seen["requested"] == []
    assert seen["axe"] == [], seen["axe"]  # issue 23: no accessibility violation of any impact
