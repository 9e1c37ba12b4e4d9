"""The points a notebook's prose states agree with the points of its nbgrader cells.

A notebook says its points in four places a student reads: the total at the top ("**Total: 17
points**", "25 points in total"), its split ("13 autograded", "5 graded by hand", "4 for two short
written answers"), each exercise's heading ("### Exercise 2 (3 points): ...") and each written
question ("**Question (2 points).**"). The cells' ``points`` metadata is what nbgrader grades. A test
whose points change must change the prose too: :func:`problems` lists every disagreement, and
``python -m tools.build check`` fails on them before anything is rebuilt.

    problems(nb, name) -> ["04_losses: the top says 17 points, the cells add up to 18", ...]
"""

from __future__ import annotations

import re

TOTAL = re.compile(r"(\d+(?:\.\d+)?)\s*points")
AUTOGRADED = re.compile(r"(\d+(?:\.\d+)?)\s+autograded")
BY_HAND = re.compile(r"(\d+(?:\.\d+)?)\s+(?:graded by hand|for (?:one|two|three|four|five) short\s+written)")
# "### Exercise 2 (3 points): ..." or "### Exercise 2: ... (3 points)"; the heading line, its number, its points
EXERCISE = re.compile(r"^#+\s*Exercise (\d+)\b[^\n]*?(?:\((\d+(?:\.\d+)?)\s*points?\b[^\n]*)?$", re.M)
TABLE_ROW = re.compile(r"^\|\s*(Q?\d+)\s*\|[^\n]*\|\s*(\d+(?:\.\d+)?)\s*\|\s*$", re.M)
QUESTION = re.compile(r"Question\b[^(\n]*\((\d+(?:\.\d+)?)\s*points?\b")


def _grade(cell) -> tuple[str, float] | None:
    """("test" | "manual", points) of a graded cell, else None."""
    meta = cell.get("metadata", {}).get("nbgrader") or {}
    if not meta.get("grade"):
        return None
    return ("manual" if meta.get("solution") else "test"), float(meta.get("points") or 0)


def _fmt(x: float) -> str:
    return f"{x:g}"


def _intro(nb) -> str:
    """The markdown before the first code cell: where the notebook states its total."""
    text = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            break
        if cell.cell_type == "markdown":
            text.append(cell.source)
    return "\n".join(text)


def problems(nb, name: str) -> list[str]:
    """Every place where ``nb``'s prose states points its cells do not add up to."""
    graded = [(c, g) for c in nb.cells if (g := _grade(c))]
    auto = sum(p for _, (kind, p) in graded if kind == "test")
    manual = sum(p for _, (kind, p) in graded if kind == "manual")
    found = []
    intro = " ".join(_intro(nb).split())  # sentences wrap across lines
    stated = TOTAL.search(intro)
    if stated is None:
        found.append(
            f"{name}: the top does not state the total points (the cells add up to {_fmt(auto + manual)})"
        )
    elif float(stated.group(1)) != auto + manual:
        found.append(
            f"{name}: the top says {stated.group(1)} points, the cells add up to {_fmt(auto + manual)}"
        )
    for pattern, value, what in ((AUTOGRADED, auto, "autograded"), (BY_HAND, manual, "graded by hand")):
        m = pattern.search(intro)
        if m and float(m.group(1)) != value:
            found.append(f"{name}: the top says {m.group(1)} {what}, the cells have {_fmt(value)}")
    exercises = _exercises(nb)
    for line, stated, actual in exercises.values():
        if stated is not None and float(stated) != actual:
            found.append(f"{name}: '{line}' says {stated} points, its test cells have {_fmt(actual)}")
    question, manuals = None, []
    for cell in nb.cells:
        graded = _grade(cell)
        m = QUESTION.search(cell.source) if cell.cell_type == "markdown" else None
        if graded is None:
            question = m or question  # a heading cell above the answer cell states its points
            continue
        if graded[0] == "manual":
            m = m or question
            manuals.append(graded[1])
            if m and float(m.group(1)) != graded[1]:
                gid = cell.metadata["nbgrader"].get("grade_id")
                found.append(
                    f"{name}: question {gid} says {m.group(1)} points, its cell has {_fmt(graded[1])}"
                )
            question = None
    for label, stated in TABLE_ROW.findall(_intro(nb)):
        if label.startswith("Q"):
            k = int(label[1:])
            actual = manuals[k - 1] if k <= len(manuals) else None
        else:
            actual = exercises[label][2] if label in exercises else None
        if actual is None or float(stated) != actual:
            has = "no such graded cell" if actual is None else f"its cells have {_fmt(actual)}"
            found.append(f"{name}: the table at the top gives {label} {stated} points, {has}")
    return found


def _exercises(nb) -> dict[str, tuple[str, str | None, float]]:
    """``{number: (heading, points it states, points of its test cells)}``, test cells up to the next exercise."""
    out, current = {}, None
    for cell in nb.cells:
        m = EXERCISE.search(cell.source) if cell.cell_type == "markdown" else None
        if m:
            current = m.group(1)
            out[current] = (m.group(0).lstrip("# ").strip(), m.group(2), 0.0)
            continue
        graded = _grade(cell)
        if current and graded and graded[0] == "test":
            line, stated, actual = out[current]
            out[current] = (line, stated, actual + graded[1])
    return out
