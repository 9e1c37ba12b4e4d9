"""Students' hand-in zips (the student bundle's ``submit.py``), as an LMS returns them, into ``submitted/``.

    python -m autograder collect DOWNLOAD submitted/ [--replace]

Each student hands in ``submit/<assignment>.zip``, holding ``<student id>/<assignment>/<notebook>.ipynb``.
The LMS's bulk download (Canvas: *Download Submissions*; Moodle: *Download all submissions*) is a
folder or a zip of such zips, renamed and perhaps in folders of their own (``ada_12345_04_losses.zip``,
``Ada Lovelace_987_assignsubmission_file/04_losses.zip``). ``collect`` finds every zip in it and copies
the assignment folders they hold into ``submitted/<student>/<assignment>/``, nbgrader's submitted
layout, which ``python -m autograder grade submitted/`` takes.

Nothing is lost and nothing is trusted: every archive is unpacked with intake's limits (no absolute
paths, ``..``, symlinks; sizes counted on the bytes decompressed); a student id must match intake's
rule; a zip that holds no ``<student>/<assignment>/`` folder is reported, not guessed at; two zips
for the same student and assignment are reported and neither is copied; a folder already in
``submitted/`` is never overwritten: the same content is left as it is, other content is reported,
and with ``--replace`` the old folder is first moved to ``submitted/.replaced/<student>/<assignment>.N``
(intake ignores hidden folders).
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .intake import NOISE, STUDENT_ID, IntakeError, extract_zip, printable

MAX_ZIPS = 5000


@dataclass
class Collected:
    """What ``collect`` did: one line per hand-in copied, left, or not taken (with why)."""

    copied: list[str] = field(default_factory=list)  # "ada/04_losses"
    unchanged: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _zips(root: Path) -> list[Path]:
    found = sorted(
        p for p in root.rglob("*") if p.suffix.lower() == ".zip" and p.is_file() and not p.is_symlink()
    )
    if len(found) > MAX_ZIPS:
        raise IntakeError(f"{len(found)} zip files found (limit {MAX_ZIPS})")
    return found


def _handins(unpacked: Path, assignments: set[str], shown: str) -> tuple[dict[str, Path], list[str]]:
    """``{"student/assignment": folder}`` in one student's unpacked zip, and what is wrong with it."""
    found, problems = {}, []
    for student in sorted(unpacked.iterdir()):
        if student.name in NOISE or student.name.startswith(".") or not student.is_dir():
            continue
        if not STUDENT_ID.match(student.name):
            problems.append(f"{shown}: {printable(repr(student.name))} is not a valid student id")
            continue
        for folder in sorted(student.iterdir()):
            if folder.is_dir() and folder.name in assignments:
                found[f"{student.name}/{folder.name}"] = folder
    if not found and not problems:
        problems.append(
            f"{shown}: holds no <student id>/<assignment>/ folder of this course "
            "(a zip written by the bundle's submit.py does); nothing copied"
        )
    return found, problems


def _same(a: Path, b: Path) -> bool:
    """Whether folders ``a`` and ``b`` hold the same files with the same bytes."""
    names = lambda f: sorted(p.relative_to(f) for p in f.rglob("*") if p.is_file())  # noqa: E731
    if names(a) != names(b):
        return False
    return all(filecmp.cmp(a / rel, b / rel, shallow=False) for rel in names(a))


def collect_zips(download: Path, dest: Path, assignments: set[str], replace: bool = False) -> Collected:
    """Copy every hand-in of the zips in ``download`` (folder or zip) into ``dest``; say what happened."""
    download, dest = Path(download), Path(dest)
    if not download.exists():
        raise IntakeError(f"{printable(download)} does not exist")
    done = Collected()
    with tempfile.TemporaryDirectory(prefix="collect-") as tmp:
        scratch = Path(tmp)
        if download.is_file():
            outer = scratch / "download"
            done.problems += [str(w) for w in extract_zip(download, outer)]
            zips, base = _zips(outer), outer
        else:
            zips, base = _zips(download), download
        handins: dict[str, list[tuple[Path, str]]] = {}
        for n, archive in enumerate(zips):
            shown = printable(archive.relative_to(base))
            unpacked = scratch / f"zip{n}"
            try:
                done.problems += [f"{shown}: {w}" for w in extract_zip(archive, unpacked)]
            except IntakeError as err:
                done.problems.append(f"{shown}: {str(err).replace(printable(archive), 'this zip')}")
                continue
            found, problems = _handins(unpacked, assignments, shown) if unpacked.is_dir() else ({}, [])
            done.problems += problems
            for key, folder in found.items():
                handins.setdefault(key, []).append((folder, shown))
        for key, sources in sorted(handins.items()):
            if len(sources) > 1:
                names = " and ".join(s for _, s in sources)
                done.problems.append(
                    f"{key}: handed in by {names}; neither copied: keep one and collect again"
                )
                continue
            _place(sources[0][0], dest / key, key, replace, done)
    return done


def _place(folder: Path, target: Path, key: str, replace: bool, done: Collected) -> None:
    if target.exists():
        if _same(folder, target):
            done.unchanged.append(key)
            return
        if not replace:
            done.problems.append(
                f"{key}: submitted/{key} exists with other content; kept (--replace moves it to "
                f"submitted/.replaced/ and takes the new one)"
            )
            return
        keep = target.parents[1] / ".replaced" / target.parent.name
        keep.mkdir(parents=True, exist_ok=True)
        n = 1 + sum(1 for p in keep.iterdir() if p.name.startswith(f"{target.name}."))
        shutil.move(str(target), str(keep / f"{target.name}.{n}"))
        done.replaced.append(key)
    else:
        done.copied.append(key)
    shutil.copytree(folder, target, symlinks=False)
