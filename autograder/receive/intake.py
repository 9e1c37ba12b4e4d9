"""Read a class's hand-ins (folder or .zip) in nbgrader's submitted layout, without trusting them.

Layout: ``<student_id>/<assignment>/<notebook>.ipynb`` (an optional ``timestamp.txt`` beside the
notebooks, as nbgrader's exchange writes it). A single wrapping folder (``submitted/``) is accepted.
Everything is copied into the grader's scratch folder first, so SUBMISSIONS is never modified.

Noise is tolerated with a warning: ``.ipynb_checkpoints``, ``__MACOSX``, hidden files, extra files
and folders. Zip archives are extracted defensively: no absolute paths or ``..``, no symlinks, no
encrypted members, and limits on member count, member size and total size, counted on the bytes
actually decompressed (a lying header does not help a zip bomb).

Nothing in the hand-ins stops the run: a member or file that cannot be written (a name over 255
bytes, ``x`` both a file and a folder, ...) is a problem of that student's submission
(``Submission.problems``, in report.json) or, outside any submission, a warning. A student folder
must be named by a student id matching ``STUDENT_ID`` (letters, digits, ``. _ @ + -``, starting
with a letter or digit, at most 64 characters); any other is not graded, with a warning. Every
warning passes through ``printable``: no control character of a file name reaches a terminal.

What an LMS download does to file names is forgiven, with a trace (``Submission.renamed``): when an
expected notebook is missing from its assignment folder, the one other notebook there (or in a
folder below it) that names it (``04_losses-Copy1.ipynb``, ``04_losses (1).ipynb``), else the only
other notebook at all, is graded in its place; two such candidates are a problem that names both
(``Submission.ambiguous``). A notebook outside any assignment folder is kept as a ``Stray`` for
``receive.placement``, which matches it by its cells.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

NOISE = {".ipynb_checkpoints", "__MACOSX", "__pycache__", ".DS_Store", "Thumbs.db"}
# What a student id may be: safe in a path, a CSV field, a terminal, a URL and nbgrader's gradebook.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}\Z")
STUDENT_ID_RULE = "letters, digits and . _ @ + -, starting with a letter or digit, at most 64 characters"
# C0/C1 controls, DEL, and the invisible marks that reorder or hide text (bidi overrides, isolates)
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


def printable(text: str) -> str:
    """``text`` with every control or invisible character written as an escape (``\\x1b``)."""

    def escape(m: re.Match) -> str:
        code = ord(m.group(0))
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, str(text))


class IntakeError(RuntimeError):
    """The hand-ins cannot be read at all (the grader stops with this reason)."""


@dataclass
class ZipLimits:
    max_members: int = 20_000
    max_member_bytes: int = 50 * 1024 * 1024
    max_total_bytes: int = 1024 * 1024 * 1024


@dataclass
class Submission:
    student: str
    assignment: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)
    timestamp: str | None = None
    warnings: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)  # {"kind": "intake", "detail": ...}
    renamed: dict[str, str] = field(default_factory=dict)  # notebook -> how its file was found
    ambiguous: dict[str, str] = field(default_factory=dict)  # notebook -> the candidates, named


@dataclass
class Stray:
    """A notebook of a student outside any assignment folder (``ada/04_losses.ipynb``, ``ada/week4/x.ipynb``)."""

    student: str
    path: Path
    shown: str  # its path in the hand-ins, printable (``ada/week4/x.ipynb``)


@dataclass
class Intake:
    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    strays: list[Stray] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted({s.student for s in self.submissions} | {s.student for s in self.strays})


@dataclass
class _Failed:
    """A member or file that could not be written: its path (relative to the hand-ins) and why."""

    path: PurePosixPath
    reason: str


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path of a zip member, or None if it is unsafe (absolute, ``..``, drive)."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*parts)


def extract_zip(archive: Path, dest: Path, limits: ZipLimits | None = None) -> list[str | _Failed]:
    """Extract ``archive`` into ``dest`` safely; return warnings about skipped members.

    A member that cannot be written (its name too long, a file where a folder must go...) is
    returned as a ``_Failed`` with its path, so that it becomes a problem of its submission.
    """
    limits = limits or ZipLimits()
    warnings: list[str | _Failed] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise IntakeError(f"{printable(archive)} is not a readable zip archive: {printable(err)}") from None
    total = 0
    with zf:
        members = zf.infolist()
        if len(members) > limits.max_members:
            raise IntakeError(f"{printable(archive)} has {len(members)} members (limit {limits.max_members})")
        for info in members:
            shown = printable(repr(info.filename))
            rel = safe_member_path(info.filename)
            if rel is None:
                warnings.append(f"zip member {shown} skipped: unsafe path")
                continue
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                warnings.append(f"zip member {shown} skipped: symbolic link")
                continue
            if info.flag_bits & 0x1:
                warnings.append(f"zip member {shown} skipped: encrypted")
                continue
            if info.file_size > limits.max_member_bytes:
                warnings.append(f"zip member {shown} skipped: larger than {limits.max_member_bytes} bytes")
                continue
            target = dest.joinpath(*rel.parts)
            written = 0
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.max_member_bytes:
                            raise _TooBig(
                                f"zip member {shown} skipped: expands beyond {limits.max_member_bytes} bytes"
                            )
                        if total > limits.max_total_bytes:
                            raise IntakeError(
                                f"{printable(archive)} expands beyond {limits.max_total_bytes} bytes"
                            )
                        dst.write(chunk)
            except _TooBig as err:
                _unlink(target)
                warnings.append(str(err))
            except IntakeError:
                raise
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError) as err:
                _unlink(target)
                warnings.append(f"zip member {shown} skipped: {printable(err)}")
            except (OSError, ValueError) as err:  # name too long, file/folder clash, NUL byte...
                _unlink(target)
                warnings.append(_Failed(rel, f"zip member {shown} could not be extracted: {_why(err)}"))
    return warnings


def _why(err: Exception) -> str:
    return printable(err.strerror if isinstance(err, OSError) and err.strerror else err)


def _unlink(path: Path) -> None:
    try:
        if path.is_file():
            path.unlink()
    except (OSError, ValueError):
        pass


class _TooBig(Exception):
    pass


def copy_folder(src: Path, dest: Path, max_file_bytes: int = 50 * 1024 * 1024) -> list[str | _Failed]:
    """Copy regular files of ``src`` (never following symlinks) into ``dest``."""
    warnings: list[str | _Failed] = []
    for dirpath, _dirnames, filenames in os.walk(src, followlinks=False):
        rel = Path(dirpath).relative_to(src)
        try:
            (dest / rel).mkdir(parents=True, exist_ok=True)  # empty folders too (nothing handed in)
        except (OSError, ValueError) as err:
            warnings.append(
                _Failed(PurePosixPath(*rel.parts), f"{printable(rel)} could not be copied: {_why(err)}")
            )
            continue
        for name in filenames:
            path = Path(dirpath) / name
            shown = printable(rel / name)
            try:
                st = path.lstat()
                if not stat.S_ISREG(st.st_mode):
                    warnings.append(f"{shown}: skipped (not a regular file)")
                    continue
                if st.st_size > max_file_bytes:
                    warnings.append(f"{shown}: skipped (larger than {max_file_bytes} bytes)")
                    continue
                target = dest / rel / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            except (OSError, ValueError) as err:
                warnings.append(
                    _Failed(PurePosixPath(*(rel / name).parts), f"{shown} could not be copied: {_why(err)}")
                )
    return warnings


def _unwrap(root: Path, assignments: set[str]) -> Path:
    """Descend through single wrapping folders (``submitted/``, ``class.zip`` -> ``class/``)."""
    for _ in range(3):
        entries = [p for p in root.iterdir() if p.name not in NOISE and not p.name.startswith(".")]
        dirs = [p for p in entries if p.is_dir()]
        looks_like_students = any((d / a).is_dir() for d in dirs for a in assignments)
        # a lone student whose notebooks lie outside assignment folders is no wrapper either
        holds_notebooks = len(dirs) == 1 and any(p.suffix == ".ipynb" for p in dirs[0].iterdir())
        if looks_like_students or holds_notebooks or len(dirs) != 1:
            return root
        root = dirs[0]
    return root


def collect(source: Path | str, assignments: dict[str, list[str]], scratch: Path) -> Intake:
    """Copy the hand-ins into ``scratch`` and list what each student handed in.

    ``assignments`` maps each course assignment to its notebook names.
    """
    source = Path(source)
    if not source.exists():
        raise IntakeError(f"{printable(source)} does not exist")
    scratch.mkdir(parents=True, exist_ok=True)
    intake = Intake()
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise IntakeError(f"{printable(source)} is neither a folder nor a zip archive")
        found = extract_zip(source, scratch)
    else:
        found = copy_folder(source, scratch)
    failed = [f for f in found if isinstance(f, _Failed)]
    intake.warnings += [w for w in found if not isinstance(w, _Failed)]
    root = _unwrap(scratch, set(assignments))
    prefix = root.relative_to(scratch).parts
    by_submission: dict[tuple[str, str], list[str]] = {}
    for f in failed:  # whose submission each unwritable file belongs to
        parts = f.path.parts[len(prefix) :] if f.path.parts[: len(prefix)] == prefix else ()
        if len(parts) >= 3 and parts[1] in assignments and STUDENT_ID.match(parts[0]):
            by_submission.setdefault((parts[0], parts[1]), []).append(f.reason)
        else:
            intake.warnings.append(f.reason)
    students = {}
    for student_dir in sorted(root.iterdir()):
        name, shown = student_dir.name, printable(student_dir.name)
        if name in NOISE or name.startswith("."):
            intake.warnings.append(f"{shown}: ignored")
            continue
        if not student_dir.is_dir():
            intake.warnings.append(f"{shown}: ignored (a file where a student folder was expected)")
            continue
        if not STUDENT_ID.match(name):
            intake.warnings.append(
                f"{printable(repr(name))}: not graded, not a valid student id ({STUDENT_ID_RULE})"
            )
            continue
        students[name] = student_dir
    for name in sorted(set(students) | {s for s, _ in by_submission}):
        student_dir = students.get(name, root / name)
        entries = sorted(student_dir.iterdir()) if student_dir.is_dir() else []
        wanted = {a for s, a in by_submission if s == name}
        for entry in entries:
            if entry.name in NOISE or entry.name.startswith("."):
                intake.warnings.append(f"{name}/{printable(entry.name)}: ignored")
                continue
            if entry.is_dir() and entry.name in assignments:
                wanted.add(entry.name)
                continue
            found = _notebooks_below(entry)
            intake.strays += [
                Stray(name, p, f"{name}/{printable(p.relative_to(student_dir))}") for p in found
            ]
            if not found:
                intake.warnings.append(
                    f"{name}/{printable(entry.name)}: ignored (not an assignment of this course)"
                )
        for assignment in sorted(wanted):
            entry = student_dir / assignment
            sub = Submission(student=name, assignment=assignment, folder=entry)
            sub.problems = [
                {"kind": "intake", "detail": r} for r in by_submission.get((name, assignment), [])
            ]
            expected = set(assignments[assignment])
            others = []  # notebooks under other names: candidates for a missing one
            for item in sorted(entry.iterdir()) if entry.is_dir() else []:
                rel = f"{name}/{assignment}/{printable(item.name)}"
                if item.is_file() and item.suffix == ".ipynb" and item.stem in expected:
                    sub.notebooks[item.stem] = item
                elif found := _notebooks_below(item):
                    others += found
                elif item.name == "timestamp.txt" and item.is_file():
                    with open(item, "rb") as fh:
                        sub.timestamp = printable(fh.read(64).decode(errors="replace").strip()) or None
                elif item.name in NOISE or item.name.startswith("."):
                    sub.warnings.append(f"{rel}: ignored")
                else:
                    sub.warnings.append(f"{rel}: extra file ignored")
            used = _stand_ins(sub, sorted(expected - set(sub.notebooks)), others)
            for item in others:
                if item not in used:
                    sub.warnings.append(
                        f"{name}/{assignment}/{printable(item.relative_to(entry))}: extra file ignored"
                    )
            intake.submissions.append(sub)
    return intake


def _notebooks_below(path: Path, depth: int = 3, limit: int = 20) -> list[Path]:
    """``path`` if it is a notebook, else the notebooks in the folders below it (noise skipped, bounded)."""
    if path.name in NOISE or path.name.startswith("."):
        return []
    if path.is_file():
        return [path] if path.suffix == ".ipynb" else []
    if depth == 0 or not path.is_dir() or path.is_symlink():
        return []
    found = []
    for item in sorted(path.iterdir()):
        found += _notebooks_below(item, depth - 1, limit - len(found))
        if len(found) >= limit:
            break
    return found[:limit]


def _stand_ins(sub: Submission, missing: list[str], others: list[Path]) -> set[Path]:
    """Fill each missing notebook of ``sub`` with the one notebook under another name that stands in for it.

    A candidate names the missing notebook (``04_losses-Copy1``, ``04_losses (1)``); when no file
    names it and only one notebook is missing, every other notebook is a candidate. One candidate is
    graded with a trace in ``sub.renamed``; several are a problem (``sub.ambiguous``). Returns the files used.
    """
    used: set[Path] = set()
    for name in missing:
        candidates = [p for p in others if name in p.stem]
        if not candidates and len(missing) == 1:
            candidates = list(others)
        shown = [printable(p.relative_to(sub.folder)) for p in candidates]
        if len(candidates) == 1:
            sub.notebooks[name] = candidates[0]
            sub.renamed[name] = f"{shown[0]} was graded as {name}.ipynb (the expected name)"
            used.add(candidates[0])
        elif candidates:
            listed = ", ".join(shown[:-1]) + " and " + shown[-1]
            sub.ambiguous[name] = (
                f"{name}.ipynb was not handed in, and {len(candidates)} notebooks could stand in for it: "
                f"{listed}; rename the one to grade to {name}.ipynb and hand in again"
            )
            used.update(candidates)
    return used
