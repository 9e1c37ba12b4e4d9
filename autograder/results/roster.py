"""The class roster: who the course's students are in the LMS, read from a CSV and checked.

Format (UTF-8 CSV, a header row, column names in any case and order; only ``student_id`` required)::

    student_id,name,email,canvas_id,sis_user_id,sis_login_id,section,id_number
    ada,"Lovelace, Ada",ada@uni.example,1001,S-17,ada.lovelace,Group A,2026017
    assignment:a1_squares,Squares,,501,,,,

* ``student_id``: the course's id, the folder name in ``submitted/`` (and nbgrader's student id);
* ``name``: as the LMS shows it (Canvas's ``Student`` column, ``Last, First``);
* ``email``, ``id_number``: what Moodle maps a row to (Email address / ID number);
* ``canvas_id`` (digits), ``sis_user_id``, ``sis_login_id``, ``section``: Canvas's columns;
* a row whose ``student_id`` is ``assignment:<name>`` names an assignment in the LMS: ``name`` is its
  title there, ``canvas_id`` its Canvas assignment id (Canvas's column ``Title (id)``).

Every problem is reported at once, with its line: an unknown column, a blank ``student_id``, the
same ``student_id``, ``canvas_id``, SIS id, e-mail or ID number twice, a ``canvas_id`` not made of
digits.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

COLUMNS = ("student_id", "name", "email", "canvas_id", "sis_user_id", "sis_login_id", "section", "id_number")
UNIQUE = ("canvas_id", "sis_user_id", "sis_login_id", "email", "id_number")
ASSIGNMENT_PREFIX = "assignment:"


class RosterError(ValueError):
    """The roster is wrong, or does not cover the graded students (the message lists every problem)."""


@dataclass(frozen=True)
class Student:
    student_id: str
    name: str = ""
    email: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    id_number: str = ""


@dataclass(frozen=True)
class LmsAssignment:
    """An assignment as the LMS knows it: its title there and its Canvas id ("" when not given)."""

    name: str
    title: str
    canvas_id: str = ""


@dataclass
class Roster:
    students: list[Student] = field(default_factory=list)
    assignments: dict[str, LmsAssignment] = field(default_factory=dict)

    def by_id(self) -> dict[str, Student]:
        return {s.student_id: s for s in self.students}


def parse(text: str, where: str = "roster") -> Roster:
    """A :class:`Roster` from the CSV text; :class:`RosterError` listing every problem."""
    rows = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not rows:
        raise RosterError(f"{where} is empty (expected a header with student_id, then one row per student)")
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if "student_id" not in header or unknown:
        raise RosterError(
            f"{where}: the header must name student_id and only columns among {', '.join(COLUMNS)}"
            + (f"; unknown: {', '.join(unknown)}" if unknown else "")
        )
    if len(set(header)) != len(header):
        raise RosterError(f"{where}: a column is named twice in the header")
    roster, problems, seen = Roster(), [], {k: {} for k in ("student_id", *UNIQUE)}
    for line, row in enumerate(rows[1:], start=2):
        if len(row) > len(header):
            problems.append(f"line {line}: {len(row)} fields for {len(header)} columns")
            continue
        values = {k: (row[i].strip() if i < len(row) else "") for i, k in enumerate(header)}
        sid = values["student_id"]
        if not sid:
            problems.append(f"line {line}: no student_id")
            continue
        if values.get("canvas_id") and not values["canvas_id"].isdigit():
            problems.append(
                f"line {line}: canvas_id {values['canvas_id']!r} is not a number (Canvas ids are digits)"
            )
        if sid.startswith(ASSIGNMENT_PREFIX):
            name = sid[len(ASSIGNMENT_PREFIX) :]
            if name in roster.assignments:
                problems.append(f"line {line}: assignment {name} is named twice")
            roster.assignments[name] = LmsAssignment(
                name, values.get("name") or name, values.get("canvas_id", "")
            )
            continue
        for key in ("student_id", *UNIQUE):
            value = values.get(key, "")
            folded = value.lower() if key == "email" else value
            if value and folded in seen[key]:
                problems.append(f"line {line}: {key} {value!r} already on line {seen[key][folded]}")
            elif value:
                seen[key][folded] = line
        roster.students.append(Student(**{k: values.get(k, "") for k in COLUMNS}))
    if problems:
        raise RosterError(f"{where}: " + "; ".join(problems))
    return roster


def load(path: Path | str) -> Roster:
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"roster {path} does not exist")
    return parse(path.read_text(encoding="utf-8-sig"), str(path))


def check_covers(
    roster: Roster, graded: list[str], assignments: list[str], allow_unlisted: bool
) -> list[str]:
    """Errors when graded students or the roster's assignment rows do not fit; returns the warnings.

    A student graded but not in the roster is an error listing them all (an LMS import would drop
    their grades), unless ``allow_unlisted``: then they are left out of the file with a warning.
    """
    known = roster.by_id()
    unlisted = sorted(s for s in graded if s not in known)
    strange = sorted(a for a in roster.assignments if a not in assignments)
    problems, warnings = [], []
    if unlisted and not allow_unlisted:
        problems.append(
            f"{len(unlisted)} graded students are not in the roster: {', '.join(unlisted)} "
            "(add them, or pass --allow-unlisted to leave them out of the file)"
        )
    elif unlisted:
        warnings.append(f"left out, not in the roster: {', '.join(unlisted)}")
    if strange:
        problems.append(
            f"the roster names assignments nobody was graded on: {', '.join(strange)} "
            f"(graded: {', '.join(assignments) or 'none'})"
        )
    if problems:
        raise RosterError("; ".join(problems))
    absent = sorted(set(known) - set(graded))
    if absent:
        warnings.append(f"in the roster, nothing graded (cells left blank): {', '.join(absent)}")
    return warnings
