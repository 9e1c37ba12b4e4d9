"""autograder.receive.collect and `python -m autograder collect`: students' submit.py zips into submitted/ (no execution)."""

from __future__ import annotations

import zipfile

import pytest

from autograder.receive import collect
from autograder.receive.intake import IntakeError
from tests.autograder.support import cli, make_course

ASSIGNMENTS = {"a1_squares", "a2_double"}


def student_zip(path, members: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)


def tree(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_lms_download_of_renamed_zips_in_folders_fills_submitted(tmp_path):
    download = tmp_path / "download"
    student_zip(download / "lovelace_123_a1_squares.zip", {"ada/a1_squares/a1_squares.ipynb": "ada 1"})
    student_zip(
        download / "Bob Smith_987_assignsubmission_file" / "a1_squares.zip",
        {"bob/a1_squares/a1_squares.ipynb": "bob 1"},
    )
    student_zip(download / "cy.zip", {"cy/a2_double/a2_double.ipynb": "cy 2", "cy/a9/x.ipynb": "not ours"})
    done = collect.collect_zips(download, tmp_path / "submitted", ASSIGNMENTS)
    assert (done.copied, done.problems) == (["ada/a1_squares", "bob/a1_squares", "cy/a2_double"], [])
    assert tree(tmp_path / "submitted") == {
        "ada/a1_squares/a1_squares.ipynb": "ada 1",
        "bob/a1_squares/a1_squares.ipynb": "bob 1",
        "cy/a2_double/a2_double.ipynb": "cy 2",
    }


def test_a_zip_of_zips_is_read_too(tmp_path):
    inner = tmp_path / "inner.zip"
    student_zip(inner, {"ada/a2_double/a2_double.ipynb": "ada 2"})
    outer = tmp_path / "all.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "Ada_1_a2_double/a2_double.zip")
    done = collect.collect_zips(outer, tmp_path / "submitted", ASSIGNMENTS)
    assert done.copied == ["ada/a2_double"] and tree(tmp_path / "submitted") == {
        "ada/a2_double/a2_double.ipynb": "ada 2"
    }


def test_nothing_is_overwritten_and_a_replaced_hand_in_is_kept(tmp_path):
    download, dest = tmp_path / "download", tmp_path / "submitted"
    student_zip(download / "ada.zip", {"ada/a1_squares/a1_squares.ipynb": "first"})
    assert collect.collect_zips(download, dest, ASSIGNMENTS).copied == ["ada/a1_squares"]
    assert collect.collect_zips(download, dest, ASSIGNMENTS).unchanged == ["ada/a1_squares"]
    student_zip(download / "ada.zip", {"ada/a1_squares/a1_squares.ipynb": "second"})
    kept = collect.collect_zips(download, dest, ASSIGNMENTS)
    assert kept.problems == [
        "ada/a1_squares: submitted/ada/a1_squares exists with other content; kept (--replace moves it to "
        "submitted/.replaced/ and takes the new one)"
    ]
    assert tree(dest) == {"ada/a1_squares/a1_squares.ipynb": "first"}
    assert collect.collect_zips(download, dest, ASSIGNMENTS, replace=True).replaced == ["ada/a1_squares"]
    assert tree(dest) == {
        "ada/a1_squares/a1_squares.ipynb": "second",
        ".replaced/ada/a1_squares.1/a1_squares.ipynb": "first",
    }


def test_what_cannot_be_taken_is_reported_never_guessed(tmp_path):
    download = tmp_path / "download"
    student_zip(download / "bare.zip", {"a1_squares/a1_squares.ipynb": "no student folder"})
    student_zip(download / "evil.zip", {"../../etc/x": "x", "bad,id/a1_squares/a1_squares.ipynb": "x"})
    student_zip(download / "one.zip", {"ada/a2_double/a2_double.ipynb": "one"})
    student_zip(download / "two.zip", {"ada/a2_double/a2_double.ipynb": "two"})
    (download / "broken.zip").write_text("not a zip")
    done = collect.collect_zips(download, tmp_path / "submitted", ASSIGNMENTS)
    assert done.copied == [] and not (tmp_path / "submitted").exists()
    assert done.problems == [
        "bare.zip: holds no <student id>/<assignment>/ folder of this course (a zip written by the bundle's "
        "submit.py does); nothing copied",
        "broken.zip: this zip is not a readable zip archive: File is not a zip file",
        "evil.zip: zip member '../../etc/x' skipped: unsafe path",
        "evil.zip: 'bad,id' is not a valid student id",
        "ada/a2_double: handed in by one.zip and two.zip; neither copied: keep one and collect again",
    ]
    with pytest.raises(IntakeError, match="does not exist"):
        collect.collect_zips(tmp_path / "nowhere", tmp_path / "submitted", ASSIGNMENTS)


def test_the_documented_command(tmp_path_factory, tmp_path):
    """`python -m autograder collect DOWNLOAD submitted/` as autograder/README.md's guide runs it."""
    course = make_course(tmp_path_factory)
    student_zip(tmp_path / "download" / "ada_1_a1_squares.zip", {"ada/a1_squares/a1_squares.ipynb": "{}"})
    run = cli("collect", "download", "submitted/", "--course", course, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "copied: ada/a1_squares",
        "1 copied, 0 replaced, 0 unchanged, 0 problems; grade with: python -m autograder grade submitted --out OUT",
    ]
    missing = cli("collect", "nothing", "submitted/", "--course", course, cwd=tmp_path, timeout=120)
    assert missing.returncode == 2 and "autograder: cannot collect: nothing does not exist" in missing.stderr
