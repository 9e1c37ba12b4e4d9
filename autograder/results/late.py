"""The late policy: due dates, a grace period, a penalty per started day, a cap, per-student extensions.

The policy lives in the course's ``nbgrader_config.py`` (read as the grader reads it, with traitlets)::

    c.Autograder.due_dates = {"04_losses": "2026-12-01 23:59:00 UTC"}  # else the gradebook's due date
    c.Autograder.late_grace_minutes = 15       # handed in up to 15 min late: no penalty
    c.Autograder.late_penalty_per_day = 0.1    # a fraction of the score per started day late
    c.Autograder.late_penalty_cap = 0.5        # never more than this fraction (at most 1)
    c.Autograder.extensions_file = "extensions.csv"  # relative to the course; --extensions overrides

A hand-in ``s`` seconds after its due date (the student's extended one if given) is on time when
``s <= grace``; otherwise it loses ``min(cap, per_day * ceil(s / 86400))`` of its score, so one
second after the grace is one started day. The score never goes below 0 (``penalty <= score``).

The extensions file is a CSV ``student_id,assignment,due`` (a new due date, in any form nbgrader's
``parse_utc`` reads; without a zone it is UTC). Every problem in it is an error naming its line.

Due dates are nbgrader's: ``Assignment.duedate`` in the gradebook (``nbgrader db assignment add
NAME --duedate=...`` or formgrader's Manage Assignments), which ``due_dates`` sets. Extensions are
stored as nbgrader's ``SubmittedAssignment.extension`` and the penalty as each notebook's
``late_submission_penalty``, so formgrader and ``nbgrader export`` show them too.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

DAY = 86400.0
EXTENSION_COLUMNS = ("student_id", "assignment", "due")


class LatePolicyError(ValueError):
    """The late policy or the extensions file is wrong (the message says where and what was expected)."""


@dataclass(frozen=True)
class LatePolicy:
    grace_minutes: float = 0.0
    per_day: float = 0.0
    cap: float = 1.0

    def __post_init__(self):
        for name, value, top in (
            ("late_grace_minutes", self.grace_minutes, None),
            ("late_penalty_per_day", self.per_day, 1.0),
            ("late_penalty_cap", self.cap, 1.0),
        ):
            if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
                raise LatePolicyError(f"c.Autograder.{name} must be a number, got {value!r}")
            if value < 0 or (top is not None and value > top):
                bound = f"between 0 and {top:g}" if top is not None else "0 or more"
                raise LatePolicyError(f"c.Autograder.{name} must be {bound}, got {value!r}")

    def fraction(self, seconds_late: float) -> float:
        """The fraction of the score lost by a hand-in ``seconds_late`` after its due date."""
        if seconds_late <= self.grace_minutes * 60:
            return 0.0
        return min(self.cap, self.per_day * math.ceil(seconds_late / DAY))


@dataclass(frozen=True)
class Lateness:
    """One submission against its due date: how late, and the fraction of its score it loses."""

    due: datetime | None  # the student's due date (extension included), UTC, naive as nbgrader stores it
    handed_in: datetime | None
    fraction: float = 0.0
    extended: bool = False
    graced: bool = False  # late, but within the grace period

    @property
    def seconds_late(self) -> float:
        if self.due is None or self.handed_in is None:
            return 0.0
        return max(0.0, (self.handed_in - self.due).total_seconds())

    def penalty(self, score: float) -> float:
        """Points lost from ``score`` (never more than the score: the floor at 0)."""
        score = max(score, 0.0)
        return min(score, round(self.fraction * score, 6))

    def describe(self) -> str:
        """``handed in 2 days 3 hours late: -20%`` (or ``... late, within the grace period: no penalty``)."""
        if self.seconds_late <= 0:
            return ""
        when = f"handed in {duration(self.seconds_late)} late"
        if self.extended:
            when += " (after the extended due date)"
        if self.graced:
            return f"{when}, within the grace period: no penalty"
        if self.fraction == 0:
            return f"{when}: no penalty"
        return f"{when}: -{self.fraction * 100:g}%"


def duration(seconds: float) -> str:
    """``2 days 3 hours``, ``5 hours 10 minutes``, ``1 minute``, ``1 second``: the two largest units."""
    seconds = int(seconds)
    units = [("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)]
    parts = []
    for name, size in units:
        n, seconds = divmod(seconds, size)
        if n or parts:
            parts.append((n, name))
    shown = [f"{n} {name}{'s' if n != 1 else ''}" for n, name in parts[:2] if n]
    return " ".join(shown) or "0 seconds"


_OFFSET = re.compile(r"^(.*\S)\s+([+-]\d{2}:?\d{2})$")


def parse_time(text: str) -> datetime:
    """A date and time as nbgrader reads it (``parse_utc``): naive UTC.

    ``2026-12-02 00:59:00 +0100`` is read as one hour ahead of UTC: nbgrader's ``parse_utc`` would
    take the ``+0100`` of such a three-part text for 100 seconds.
    """
    from nbgrader.utils import parse_utc

    m = _OFFSET.match(text.strip())
    return parse_utc(f"{m.group(1)}{m.group(2)}" if m else text)


def policy_from_config(config) -> LatePolicy:
    """The policy of a traitlets config (``c.Autograder.*``); the defaults mean no penalty."""
    section = config.get("Autograder", {})
    return LatePolicy(
        grace_minutes=section.get("late_grace_minutes", 0.0),
        per_day=section.get("late_penalty_per_day", 0.0),
        cap=section.get("late_penalty_cap", 1.0),
    )


def due_dates_from_config(config, assignments) -> dict[str, datetime]:
    """``c.Autograder.due_dates``, checked: known assignments, readable dates."""
    given = config.get("Autograder", {}).get("due_dates", {}) or {}
    if not isinstance(given, dict):
        raise LatePolicyError(f"c.Autograder.due_dates must be a dict {{assignment: date}}, got {given!r}")
    out = {}
    for name, text in given.items():
        if name not in assignments:
            raise LatePolicyError(
                f"c.Autograder.due_dates names {name!r}, not an assignment of source/ "
                f"(expected one of {', '.join(sorted(assignments))})"
            )
        out[name] = _date(text, f"c.Autograder.due_dates[{name!r}]")
    return out


def _date(text, where: str) -> datetime:
    try:
        return parse_time(str(text))
    except (ValueError, OverflowError) as err:
        raise LatePolicyError(
            f"{where}: {text!r} is not a date and time (expected e.g. 2026-12-01 23:59:00 UTC): {err}"
        ) from err


def read_extensions(text: str, assignments, where: str = "extensions file") -> dict[tuple, datetime]:
    """``{(student, assignment): new due date}`` from the extensions CSV; every problem is an error."""
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return {}
    header = [h.strip().lower() for h in rows[0]]
    if tuple(header) != EXTENSION_COLUMNS:
        raise LatePolicyError(
            f"{where}: the header must be {','.join(EXTENSION_COLUMNS)}, got {','.join(rows[0])}"
        )
    out, problems = {}, []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != 3:
            problems.append(f"line {line}: expected 3 fields (student_id,assignment,due), got {len(row)}")
            continue
        student, assignment, due = (cell.strip() for cell in row)
        if not student:
            problems.append(f"line {line}: no student_id")
        elif assignment not in assignments:
            problems.append(
                f"line {line}: {assignment!r} is not an assignment (expected one of {', '.join(sorted(assignments))})"
            )
        elif (student, assignment) in out:
            problems.append(f"line {line}: a second extension for {student} on {assignment}")
        else:
            try:
                out[(student, assignment)] = _date(due, f"line {line}")
            except LatePolicyError as err:
                problems.append(str(err))
    if problems:
        raise LatePolicyError(f"{where}: " + "; ".join(problems))
    return out


def load_extensions(path: Path | None, assignments) -> dict[tuple, datetime]:
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise LatePolicyError(f"extensions file {path} does not exist")
    return read_extensions(path.read_text(encoding="utf-8-sig"), assignments, str(path))


def assess(
    handed_in: dict, due_dates: dict, extensions: dict, policy: LatePolicy
) -> tuple[dict[tuple, Lateness], list[str]]:
    """Each submission's :class:`Lateness` and the warnings met (an unreadable timestamp counts on time).

    ``handed_in``: ``{(student, assignment): timestamp text or None}`` (``timestamp.txt``);
    ``due_dates``: ``{assignment: datetime or None}``; ``extensions``: ``{(student, assignment): datetime}``.
    """
    out, warnings = {}, []
    for key, stamp in sorted(handed_in.items()):
        student, assignment = key
        when = None
        if stamp:
            try:
                when = parse_time(stamp)
            except (ValueError, OverflowError):
                warnings.append(
                    f"{student}/{assignment}: timestamp.txt {stamp!r} is not a date: counted on time"
                )
        due = extensions.get(key) or due_dates.get(assignment)
        seconds = Lateness(due, when).seconds_late
        graced = 0 < seconds <= policy.grace_minutes * 60
        out[key] = Lateness(due, when, policy.fraction(seconds), key in extensions, graced)
    unused = sorted(set(extensions) - set(handed_in))
    if unused:
        names = ", ".join(f"{s}/{a}" for s, a in unused)
        warnings.append(f"extensions for hand-ins not graded in this run (a typo in a student id?): {names}")
    return out, warnings


def extension_delta(lateness: Lateness, assignment_due: datetime | None) -> timedelta | None:
    """nbgrader's ``SubmittedAssignment.extension``: the extended due date minus the assignment's."""
    if not lateness.extended or lateness.due is None or assignment_due is None:
        return None
    return lateness.due - assignment_due


def from_course(
    course_root: Path, db_url: str, course_id: str, handed_in: dict, extensions_file: Path | None = None
) -> tuple[dict[tuple, Lateness], dict[str, datetime | None], list[str]]:
    """Set ``c.Autograder.due_dates`` in the gradebook, read every due date back, and assess each hand-in.

    Returns ``(lateness by (student, assignment), due date by assignment, warnings)``. The extensions
    file is ``extensions_file`` or else ``c.Autograder.extensions_file`` (relative to the course).
    """
    import warnings as _warnings

    from nbgrader.api import Gradebook

    from ..receive.course import find_assignments, load_course_config

    config = load_course_config(Path(course_root))
    policy = policy_from_config(config)
    assignments = set(find_assignments(Path(course_root) / "source"))
    configured = due_dates_from_config(config, assignments)
    if extensions_file is None and config.get("Autograder", {}).get("extensions_file"):
        extensions_file = Path(course_root) / config.Autograder.extensions_file
    extensions = load_extensions(extensions_file, assignments)
    with Gradebook(db_url, course_id) as gb, _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        recorded = {a.name for a in gb.assignments}  # an assignment nobody handed in is not created
        for name, due in configured.items():
            if name in recorded:
                gb.update_or_create_assignment(name, duedate=due)
        due_dates = {a.name: a.duedate for a in gb.assignments}
    without = sorted({a for (_, a) in extensions if due_dates.get(a) is None} & {a for _, a in handed_in})
    lateness, warnings = assess(handed_in, due_dates, extensions, policy)
    if without:
        warnings.append(
            f"extensions given for {', '.join(without)}, which has no due date: only the extended dates apply"
        )
    return lateness, due_dates, warnings


def record(submission, notebook, lateness: Lateness | None) -> None:
    """Write a lateness into nbgrader's rows: the submission's extension, the notebook's penalty."""
    if lateness is None:  # not assessed by this caller: what the gradebook holds stays
        return
    submission.extension = extension_delta(lateness, submission.assignment.duedate)
    score = sum(
        (g.manual_score if g.manual_score is not None else g.auto_score) or 0.0 for g in notebook.grades
    )
    penalty = lateness.penalty(float(score))
    notebook.late_submission_penalty = penalty or None


def from_submission(submission, policy: LatePolicy) -> Lateness:
    """A :class:`Lateness` rebuilt from nbgrader's ``SubmittedAssignment`` (its timestamp, due date and
    extension), for pages made later from the gradebook (the policy from :func:`policy_from_config`)."""
    seconds = float(submission.total_seconds_late or 0.0)
    graced = 0 < seconds <= policy.grace_minutes * 60
    extended = submission.extension is not None
    return Lateness(submission.duedate, submission.timestamp, policy.fraction(seconds), extended, graced)
