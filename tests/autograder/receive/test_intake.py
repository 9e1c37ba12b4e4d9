"""autograder.receive.intake: layout, noise, wrapping folders and defensive zip extraction (no execution)."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import pytest

from autograder.receive import intake

COURSE = {"a1_squares": ["a1_squares"], "a2_double": ["a2_double"]}


def make_tree(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_folder_layout_noise_and_extras(tmp_path):
    src = tmp_path / "in"
    make_tree(src, {
        "ada/a1_squares/a1_squares.ipynb": "{}",
        "ada/a1_squares/timestamp.txt": "2026-01-01 10:00:00 UTC\n",
        "ada/a1_squares/.ipynb_checkpoints/a1_squares-checkpoint.ipynb": "{}",
        "ada/a1_squares/notes.txt": "x",
        "ada/a1_squares/other.ipynb": "{}",
        "ada/a9_unknown/a9_unknown.ipynb": "{}",
        "bob/a2_double/a2_double.ipynb": "{}",
        "__MACOSX/ada/._a1_squares.ipynb": "x",
        "README.txt": "x",
    })  # fmt: skip
    got = intake.collect(src, COURSE, tmp_path / "scratch")
    subs = {(s.student, s.assignment): s for s in got.submissions}
    assert set(subs) == {("ada", "a1_squares"), ("bob", "a2_double")}
    ada = subs[("ada", "a1_squares")]
    assert set(ada.notebooks) == {"a1_squares"} and ada.timestamp == "2026-01-01 10:00:00 UTC"
    assert ada.notebooks["a1_squares"].is_relative_to(tmp_path / "scratch")  # a copy, not the original
    text = "\n".join(got.warnings + ada.warnings)
    # a notebook in a folder of no assignment is kept for placement by its cells (receive.placement)
    assert [s.shown for s in got.strays] == ["ada/a9_unknown/a9_unknown.ipynb"]
    for expected in (
        "__MACOSX",
        "README.txt",
        ".ipynb_checkpoints",
        "notes.txt",
        "other.ipynb",
    ):
        assert expected in text


def test_symlinks_in_a_folder_are_not_followed(tmp_path):
    src = tmp_path / "in"
    make_tree(src, {"ada/a1_squares/a1_squares.ipynb": "{}"})
    secret = tmp_path / "secret.txt"
    secret.write_text("gradebook")
    os.symlink(secret, src / "ada" / "a1_squares" / "a2_double.ipynb")
    got = intake.collect(src, COURSE, tmp_path / "scratch")
    assert not (tmp_path / "scratch" / "ada" / "a1_squares" / "a2_double.ipynb").exists()
    assert any("not a regular file" in w for w in got.warnings)


def test_zip_with_a_wrapping_folder(tmp_path):
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("submitted/ada/a1_squares/a1_squares.ipynb", "{}")
        zf.writestr("submitted/bob/a2_double/a2_double.ipynb", "{}")
    got = intake.collect(archive, COURSE, tmp_path / "scratch")
    assert sorted((s.student, s.assignment) for s in got.submissions) == [
        ("ada", "a1_squares"),
        ("bob", "a2_double"),
    ]


@pytest.mark.parametrize("name", ["../evil.ipynb", "/etc/evil", "ada/../../evil", "C:/evil", "..\\evil"])
def test_zip_path_traversal_is_refused(tmp_path, name):
    assert intake.safe_member_path(name) is None
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, "x")
        zf.writestr("ada/a1_squares/a1_squares.ipynb", "{}")
    dest = tmp_path / "scratch" / "inner"
    dest.mkdir(parents=True)
    warnings = intake.extract_zip(archive, dest)
    assert any("unsafe path" in w for w in warnings)
    assert not (tmp_path / "evil.ipynb").exists() and not (tmp_path / "scratch" / "evil").exists()


def test_zip_symlink_members_are_skipped(tmp_path):
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("ada/a1_squares/a1_squares.ipynb")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    warnings = intake.extract_zip(archive, tmp_path / "x")
    assert any("symbolic link" in w for w in warnings)
    assert not (tmp_path / "x" / "ada" / "a1_squares" / "a1_squares.ipynb").exists()


def test_zip_bombs_are_stopped_by_the_bytes_actually_written(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ada/a1_squares/a1_squares.ipynb", b"0" * 5_000_000)
        for k in range(3):
            zf.writestr(f"bob{k}/a2_double/a2_double.ipynb", b"0" * 900_000)
    assert archive.stat().st_size < 100_000
    small = intake.ZipLimits(max_member_bytes=1_000_000, max_total_bytes=10_000_000)
    warnings = intake.extract_zip(archive, tmp_path / "a", small)
    assert any("larger than" in w or "expands beyond" in w for w in warnings)
    assert not (tmp_path / "a" / "ada" / "a1_squares" / "a1_squares.ipynb").exists()
    with pytest.raises(intake.IntakeError, match="expands beyond"):
        intake.extract_zip(archive, tmp_path / "b", intake.ZipLimits(max_total_bytes=2_000_000))
    with pytest.raises(intake.IntakeError, match="members"):
        intake.extract_zip(archive, tmp_path / "c", intake.ZipLimits(max_members=2))


def test_a_lying_zip_header_does_not_help(tmp_path):
    """Declared sizes are not trusted: extraction counts the bytes it decompresses."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ada/a1_squares/a1_squares.ipynb", b"1" * 3_000_000)
    data = bytearray(buf.getvalue())
    # patch the declared uncompressed size (central directory) to a tiny number
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    archive = tmp_path / "liar.zip"
    archive.write_bytes(bytes(data))
    warnings = intake.extract_zip(archive, tmp_path / "x", intake.ZipLimits(max_member_bytes=1_000_000))
    assert warnings
    assert not (tmp_path / "x" / "ada" / "a1_squares" / "a1_squares.ipynb").exists()


def test_unreadable_inputs_stop_the_grader_with_a_reason(tmp_path):
    with pytest.raises(intake.IntakeError, match="does not exist"):
        intake.collect(tmp_path / "missing", COURSE, tmp_path / "s")
    (tmp_path / "plain.txt").write_text("hello")
    with pytest.raises(intake.IntakeError, match="neither a folder nor a zip"):
        intake.collect(tmp_path / "plain.txt", COURSE, tmp_path / "s")


def test_unwritable_members_are_problems_of_their_submission_and_the_run_goes_on(tmp_path):
    """Attack 24 at the intake level: a name over 255 bytes, both ``x`` and ``x/y``."""
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("ada/a1_squares/a1_squares.ipynb", "{}")
        zf.writestr("long/a1_squares/" + "n" * 300 + ".ipynb", "{}")
        zf.writestr("clash/a2_double", "a file where the assignment folder goes")
        zf.writestr("clash/a2_double/a2_double.ipynb", "{}")
        zf.writestr("y" * 300 + "/a1_squares/a1_squares.ipynb", "{}")
    got = intake.collect(archive, COURSE, tmp_path / "scratch")
    subs = {(s.student, s.assignment): s for s in got.submissions}
    assert set(subs) == {("ada", "a1_squares"), ("long", "a1_squares"), ("clash", "a2_double")}
    assert subs[("ada", "a1_squares")].problems == [] and set(subs[("ada", "a1_squares")].notebooks) == {
        "a1_squares"
    }
    (long,) = subs[("long", "a1_squares")].problems
    assert long["kind"] == "intake" and long["detail"].endswith("could not be extracted: File name too long")
    (clash,) = subs[("clash", "a2_double")].problems
    assert "'clash/a2_double/a2_double.ipynb' could not be extracted: File exists" in clash["detail"]
    assert not subs[("clash", "a2_double")].notebooks
    assert any("yyyy" in w and "could not be extracted" in w for w in got.warnings)  # no submission to blame


def test_student_ids_must_match_the_safe_pattern(tmp_path):
    """Attack 27 at the intake level: a folder named with a comma and a newline forges no student."""
    src = tmp_path / "in"
    bad = ["mallory,1,2\nforged", "-rf", ".hidden", "a" * 65, "tab\there", "ümlaut"]
    make_tree(src, {f"{name}/a1_squares/a1_squares.ipynb": "{}" for name in ["ada", "b.o-b_1@x+y", *bad]})
    got = intake.collect(src, COURSE, tmp_path / "scratch")
    assert got.students == ["ada", "b.o-b_1@x+y"]
    rejected = [w for w in got.warnings if "not a valid student id" in w]
    assert len(rejected) == len(bad) - 1  # .hidden is ignored as a hidden folder
    assert "'mallory,1,2\\nforged': not graded, not a valid student id (letters, digits" in "\n".join(
        rejected
    )
    assert all("\n" not in w and "\t" not in w for w in got.warnings)


def test_control_characters_never_reach_a_warning(tmp_path):
    """Attack 26: an extra file whose name sets the terminal's title and clears the screen."""
    src = tmp_path / "in"
    evil = "\x1b]0;owned\x07\x1b[2J\u202etxt.exe"
    make_tree(src, {"ada/a1_squares/a1_squares.ipynb": "{}", f"ada/a1_squares/{evil}": "x"})
    got = intake.collect(src, COURSE, tmp_path / "scratch")
    (warning,) = got.submissions[0].warnings
    assert warning == "ada/a1_squares/\\x1b]0;owned\\x07\\x1b[2J\\u202etxt.exe: extra file ignored"
    assert intake.printable("fine: é, 中文, tabs\tno") == "fine: é, 中文, tabs\\x09no"


@pytest.mark.parametrize("name", ["a1_squares-Copy1.ipynb", "a1_squares (1).ipynb", "Untitled.ipynb"])
def test_a_single_notebook_under_another_name_stands_in_with_a_trace(tmp_path, name):
    """Row 7 of issue 20: an LMS download renames the file; the one notebook in its folder is graded."""
    make_tree(tmp_path / "in", {f"ada/a1_squares/{name}": "{}", "ada/a1_squares/notes.txt": "x"})
    (sub,) = intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch").submissions
    assert sub.notebooks["a1_squares"].name == name and not sub.ambiguous
    assert sub.renamed == {"a1_squares": f"{name} was graded as a1_squares.ipynb (the expected name)"}
    assert sub.warnings == ["ada/a1_squares/notes.txt: extra file ignored"]


def test_a_notebook_in_a_folder_below_the_assignment_folder_stands_in(tmp_path):
    make_tree(tmp_path / "in", {"ada/a1_squares/a1_squares/a1_squares.ipynb": "{}"})
    (sub,) = intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch").submissions
    assert sub.renamed == {
        "a1_squares": "a1_squares/a1_squares.ipynb was graded as a1_squares.ipynb (the expected name)"
    }


def test_two_candidates_are_a_problem_that_names_both(tmp_path):
    make_tree(tmp_path / "in", {
        "ada/a1_squares/a1_squares-Copy1.ipynb": "{}",
        "ada/a1_squares/a1_squares (1).ipynb": "{}",
        "ada/a1_squares/Untitled.ipynb": "{}",  # names no notebook: not a candidate while others do
    })  # fmt: skip
    (sub,) = intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch").submissions
    assert not sub.notebooks and not sub.renamed
    assert sub.ambiguous == {
        "a1_squares": "a1_squares.ipynb was not handed in, and 2 notebooks could stand in for it: "
        "a1_squares (1).ipynb and a1_squares-Copy1.ipynb; rename the one to grade to a1_squares.ipynb "
        "and hand in again"
    }
    assert sub.warnings == ["ada/a1_squares/Untitled.ipynb: extra file ignored"]


def test_the_expected_name_wins_over_copies(tmp_path):
    make_tree(
        tmp_path / "in",
        {"ada/a1_squares/a1_squares.ipynb": "{}", "ada/a1_squares/a1_squares-Copy1.ipynb": "{}"},
    )
    (sub,) = intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch").submissions
    assert sub.notebooks["a1_squares"].name == "a1_squares.ipynb" and not sub.renamed and not sub.ambiguous
    assert sub.warnings == ["ada/a1_squares/a1_squares-Copy1.ipynb: extra file ignored"]


def test_notebooks_outside_any_assignment_folder_are_kept_as_strays(tmp_path):
    """Today's drop of a student with only a stray notebook: now kept for placement by its cells."""
    make_tree(tmp_path / "in", {
        "ada/a1_squares.ipynb": "{}",
        "ada/week 4/mine.ipynb": "{}",
        "ada/week 4/.ipynb_checkpoints/mine-checkpoint.ipynb": "{}",
        "ada/notes.txt": "x",
        "bob/a2_double/a2_double.ipynb": "{}",
    })  # fmt: skip
    got = intake.collect(tmp_path / "in", COURSE, tmp_path / "scratch")
    assert [(s.student, s.shown) for s in got.strays] == [
        ("ada", "ada/a1_squares.ipynb"),
        ("ada", "ada/week 4/mine.ipynb"),
    ]
    assert got.students == ["ada", "bob"]
    assert got.warnings == ["ada/notes.txt: ignored (not an assignment of this course)"]
