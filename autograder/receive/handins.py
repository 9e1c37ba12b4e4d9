"""Received hand-ins: each handed-in notebook read, identified and repaired, or the reason it cannot be.

``receive(...)`` is the pipeline's first stage: the hand-ins copied out of SUBMISSIONS (intake), the
gradebook built for the assignments handed in (course), then every expected notebook of every
hand-in either repaired into a :class:`HandIn` (tests restored from the gradebook, ready to run) or
recorded as :class:`Unreadable` (missing, not a notebook, another notebook). Nothing here scores:
the unreadable ones are scored 0 in one place, ``results.scoring.zero_results``.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GraderError
from . import intake, placement, repair
from .course import CourseSpec, NotebookSpec, build_gradebook, find_assignments


@dataclass
class HandIn:
    """One notebook that will run: repaired, with what the repair did (``events``)."""

    student: str
    assignment: str
    spec: NotebookSpec
    prepared: object
    events: list


@dataclass
class Unreadable:
    """One expected notebook that cannot run, and why (``kind`` is report.json's problem kind)."""

    student: str
    assignment: str
    spec: NotebookSpec
    kind: str  # missing | malformed | other_notebook | ambiguous
    detail: str


@dataclass
class Received:
    course: CourseSpec
    handins: list[HandIn]
    unreadable: list[Unreadable]
    timestamps: dict = field(default_factory=dict)  # (student, assignment) -> nbgrader timestamp
    intake_problems: dict = field(
        default_factory=dict
    )  # (student, assignment) -> files intake could not write
    warnings: list[str] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)  # notebooks no assignment could take (placement)
    files: dict = field(default_factory=dict)  # (student, assignment) -> {notebook: the file graded}
    gradebook_seconds: float = 0.0
    # (student, assignment, notebook) -> sha256 of the handed-in file, None when missing (results.history)
    handin_hashes: dict = field(default_factory=dict)


def receive(
    submissions: Path,
    course_root: Path,
    work: Path,
    db_url: str,
    writing: Callable[[], AbstractContextManager],
    select: Callable[[str, str], bool] | None = None,
    carry_file: Path | None = None,
) -> Received:
    """Intake, the gradebook (built while ``writing()`` holds), then every notebook read and repaired.

    ``select(student, assignment)``: only the hand-ins it accepts are graded (all when None).
    ``carry_file``: see ``course.build_gradebook``.
    """
    started = time.monotonic()
    names = find_assignments(course_root / "source")
    try:
        got = intake.collect(submissions, names, work / "submitted")
    except intake.IntakeError as err:
        raise GraderError(str(err)) from err
    unplaced = placement.place(got, course_root / "source", names)
    if select is not None:
        got.submissions = [s for s in got.submissions if select(s.student, s.assignment)]
        # a stray notebook is nobody's assignment: kept when its student is asked for, all assignments
        unplaced = [u for u in unplaced if select(u["student"], "")]
        if not got.submissions and not unplaced:
            raise GraderError(f"no hand-in in {submissions} matches the students and assignments asked for")
    regraded: dict[str, set[str]] = {}  # assignment -> the students graded now
    for sub in got.submissions:
        regraded.setdefault(sub.assignment, set()).add(sub.student)
    wanted = sorted(regraded) or sorted(
        names
    )  # only the assignments handed in (a GenerateAssignment pass each)
    try:
        with writing():
            course = build_gradebook(
                course_root, db_url, work, assignments=wanted, regraded=regraded, carry_file=carry_file
            )
    except GraderError:  # says itself what to do
        raise
    except Exception as err:
        raise GraderError(f"could not build the gradebook from {course_root / 'source'}: {err}") from err
    received = Received(course, [], [], gradebook_seconds=time.monotonic() - started)
    received.warnings = got.warnings + course.notes
    received.unplaced = unplaced
    received.warnings += [
        f"{u['detail']} (not graded; {u['student']} is in grades.csv with 0)" for u in unplaced
    ]
    for sub in got.submissions:
        key = (sub.student, sub.assignment)
        received.timestamps[key] = sub.timestamp
        received.intake_problems[key] = sub.problems
        received.files[key] = {n: p for n, p in sub.notebooks.items() if n not in sub.ambiguous}
        for name, spec in sorted(course.assignments.get(sub.assignment, {}).items()):
            path = sub.notebooks.get(name)
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None
            received.handin_hashes[(sub.student, sub.assignment, name)] = digest
            if name in sub.ambiguous:
                read = Unreadable(sub.student, sub.assignment, spec, "ambiguous", sub.ambiguous[name])
            else:
                read = read_handin(course, sub.student, sub.assignment, spec, path, sub.renamed.get(name))
            (received.handins if isinstance(read, HandIn) else received.unreadable).append(read)
        received.warnings.extend(sub.warnings)
        received.warnings += [f"{sub.student}/{sub.assignment}: {why}" for why in sub.renamed.values()]
    return received


def read_handin(
    course: CourseSpec,
    student: str,
    assignment: str,
    spec: NotebookSpec,
    path: Path | None,
    renamed: str | None = None,
):
    """A :class:`HandIn` ready to run, or :class:`Unreadable` with the reason.

    ``renamed`` says how a file under another name was found for this notebook (intake, placement):
    it becomes a ``renamed`` event of the hand-in (report.json, the student's feedback).
    """
    name = spec.name
    if path is None:
        return Unreadable(student, assignment, spec, "missing", f"{name}.ipynb was not handed in")
    shown = intake.printable(path.name) if renamed else f"{name}.ipynb"
    try:
        nb = repair.read_notebook(path.read_bytes())
    except repair.NotANotebook as err:
        return Unreadable(student, assignment, spec, "malformed", f"{shown}: {err}")
    own = repair.fingerprint(nb, spec)
    best = max(
        (
            (repair.fingerprint(nb, other), f"{a}/{n}")
            for a, nbs in course.assignments.items()
            for n, other in nbs.items()
            if other is not spec
        ),
        default=(0, ""),
    )
    if own == 0 or best[0] > own:
        hint = f" (it looks like {best[1]})" if best[0] > own else ""
        detail = f"{shown} holds none of this notebook's exercises{hint}"
        return Unreadable(student, assignment, spec, "other_notebook", detail)
    prepared, events = repair.prepare(nb, spec)
    if renamed:
        events.insert(0, repair.Event("renamed", None, renamed))
    return HandIn(student, assignment, spec, prepared, events)
