"""Read a class's hand-ins (folder or .zip) in nbgrader's submitted layout, without trusting them.

Layout: ``<student_id>/<assignment>/<notebook>.ipynb`` (an optional ``timestamp.txt`` beside the
notebooks, as nbgrader's exchange writes it). A single wrapping folder (``submitted/``) is accepted.
Everything is copied into the grader's scratch folder first, so SUBMISSIONS is never modified.

Noise is tolerated with a warning: ``.ipynb_checkpoints``, ``__MACOSX``, hidden files, extra files
and folders. Zip archives are extracted defensively: no absolute paths or ``..``, no symlinks, no
encrypted members, and limits on member count, member size and total size, counted on the bytes
actually decompressed (a lying header does not help a zip bomb).
"""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

NOISE = {".ipynb_checkpoints", "__MACOSX", "__pycache__", ".DS_Store", "Thumbs.db"}


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


@dataclass
class Intake:
    submissions: list[Submission] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def students(self) -> list[str]:
        return sorted({s.student for s in self.submissions})


def safe_member_path(name: str) -> PurePosixPath | None:
    """The relative path of a zip member, or None if it is unsafe (absolute, ``..``, drive)."""
    name = name.replace("\\", "/")
    if not name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    return PurePosixPath(*parts)


def extract_zip(archive: Path, dest: Path, limits: ZipLimits | None = None) -> list[str]:
    """Extract ``archive`` into ``dest`` safely; return warnings about skipped members."""
    limits = limits or ZipLimits()
    warnings: list[str] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as err:
        raise IntakeError(f"{archive} is not a readable zip archive: {err}") from None
    total = 0
    with zf:
        members = zf.infolist()
        if len(members) > limits.max_members:
            raise IntakeError(f"{archive} has {len(members)} members (limit {limits.max_members})")
        for info in members:
            rel = safe_member_path(info.filename)
            if rel is None:
                warnings.append(f"zip member {info.filename!r} skipped: unsafe path")
                continue
            if info.is_dir():
                continue
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                warnings.append(f"zip member {info.filename!r} skipped: symbolic link")
                continue
            if info.flag_bits & 0x1:
                warnings.append(f"zip member {info.filename!r} skipped: encrypted")
                continue
            if info.file_size > limits.max_member_bytes:
                warnings.append(
                    f"zip member {info.filename!r} skipped: larger than {limits.max_member_bytes} bytes"
                )
                continue
            target = dest.joinpath(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            written = 0
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        total += len(chunk)
                        if written > limits.max_member_bytes:
                            raise _TooBig(
                                f"zip member {info.filename!r} skipped: expands beyond "
                                f"{limits.max_member_bytes} bytes"
                            )
                        if total > limits.max_total_bytes:
                            raise IntakeError(f"{archive} expands beyond {limits.max_total_bytes} bytes")
                        dst.write(chunk)
            except _TooBig as err:
                target.unlink(missing_ok=True)
                warnings.append(str(err))
            except IntakeError:
                raise
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as err:
                target.unlink(missing_ok=True)
                warnings.append(f"zip member {info.filename!r} skipped: {err}")
    return warnings


class _TooBig(Exception):
    pass


def copy_folder(src: Path, dest: Path, max_file_bytes: int = 50 * 1024 * 1024) -> list[str]:
    """Copy regular files of ``src`` (never following symlinks) into ``dest``."""
    warnings: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(src, followlinks=False):
        rel = Path(dirpath).relative_to(src)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            if not stat.S_ISREG(st.st_mode):
                warnings.append(f"{rel / name}: skipped (not a regular file)")
                continue
            if st.st_size > max_file_bytes:
                warnings.append(f"{rel / name}: skipped (larger than {max_file_bytes} bytes)")
                continue
            target = dest / rel / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return warnings


def _unwrap(root: Path, assignments: set[str]) -> Path:
    """Descend through single wrapping folders (``submitted/``, ``class.zip`` -> ``class/``)."""
    for _ in range(3):
        entries = [p for p in root.iterdir() if p.name not in NOISE and not p.name.startswith(".")]
        dirs = [p for p in entries if p.is_dir()]
        looks_like_students = any((d / a).is_dir() for d in dirs for a in assignments)
        if looks_like_students or len(dirs) != 1:
            return root
        root = dirs[0]
    return root


def collect(source: Path | str, assignments: dict[str, list[str]], scratch: Path) -> Intake:
    """Copy the hand-ins into ``scratch`` and list what each student handed in.

    ``assignments`` maps each course assignment to its notebook names.
    """
    source = Path(source)
    if not source.exists():
        raise IntakeError(f"{source} does not exist")
    scratch.mkdir(parents=True, exist_ok=True)
    intake = Intake()
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise IntakeError(f"{source} is neither a folder nor a zip archive")
        intake.warnings += extract_zip(source, scratch)
    else:
        intake.warnings += copy_folder(source, scratch)
    root = _unwrap(scratch, set(assignments))
    for student_dir in sorted(root.iterdir()):
        name = student_dir.name
        if name in NOISE or name.startswith("."):
            intake.warnings.append(f"{name}: ignored")
            continue
        if not student_dir.is_dir():
            intake.warnings.append(f"{name}: ignored (a file where a student folder was expected)")
            continue
        for entry in sorted(student_dir.iterdir()):
            if entry.name in NOISE or entry.name.startswith("."):
                intake.warnings.append(f"{name}/{entry.name}: ignored")
                continue
            if not entry.is_dir() or entry.name not in assignments:
                intake.warnings.append(f"{name}/{entry.name}: ignored (not an assignment of this course)")
                continue
            sub = Submission(student=name, assignment=entry.name, folder=entry)
            expected = set(assignments[entry.name])
            for item in sorted(entry.iterdir()):
                rel = f"{name}/{entry.name}/{item.name}"
                if item.is_file() and item.suffix == ".ipynb" and item.stem in expected:
                    sub.notebooks[item.stem] = item
                elif item.name == "timestamp.txt" and item.is_file():
                    sub.timestamp = item.read_text(errors="replace").strip()[:64] or None
                elif item.name in NOISE or item.name.startswith("."):
                    sub.warnings.append(f"{rel}: ignored")
                else:
                    sub.warnings.append(f"{rel}: extra file ignored")
            intake.submissions.append(sub)
    return intake
