"""``OUT/class-report.html``: which exercises the class struggled with, from ``report.json``.

For each assignment: the score distribution and each check's pass rate (figures from ``charts``,
with alt text, and the same numbers in a table), the failing checks ranked by how many students
failed them, each with its headline and the "likely mistake" that the course's assertion messages
(``helpers/testing.py``) name, and the students with problems (timeouts, memory, missing...).

The page is for the instructor but built like the students' feedback: every message has the hidden
test lines replaced (``feedback.redact_text``), every text is escaped, figures are ``data:`` PNGs,
and ``feedback.finish_page`` adds the Content-Security-Policy and checks the body is inert. No
script, nothing fetched: it opens from disk or an LMS as it is.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from ..receive.course import CourseSpec
from . import charts, feedback, history, manual

NAME = "class-report.html"
#: report.json problem kinds that mean a student lost points to something other than a wrong answer
TROUBLE = (
    "missing", "malformed", "other_notebook", "intake", "timeout", "unresponsive", "dead", "killed",
    "memory", "exit", "output_truncated", "evaluator", "worker_lost",
)  # fmt: skip
MISTAKE = re.compile(r"likely mistake:\s*(.*?)(?=\n\s*\w[\w ]*:\s|\Z)", re.S)
NUMBER = re.compile(r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
MAX_MESSAGE = 600

STYLE = """
body { font-family: sans-serif; color: #1a1a1a; background: #fff; max-width: 60rem; margin: 1rem auto;
       padding: 0 1rem; line-height: 1.45; }
h1, h2, h3 { color: #0b2a45; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #767676; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #e8eef4; }
td.num { text-align: right; }
pre { white-space: pre-wrap; margin: 0; font-size: 0.9rem; }
img { max-width: 100%; height: auto; display: block; }
figure { margin: 0.5rem 0 1rem; }
"""


def failure_parts(reason: str) -> tuple[str, str]:
    """(headline, likely mistake or "") of a failed check's message ("Error: headline\\n  ...")."""
    headline = reason.strip().split("\n", 1)[0].strip()
    m = MISTAKE.search(reason)
    mistake = " ".join(m.group(1).split()) if m else ""
    return headline, mistake


def summarize(report: dict, course: CourseSpec) -> dict:
    """assignment -> {"scores", "max_score", "checks", "failures", "trouble"} from report.json's entries.

    checks: [{notebook, grade_id, kind, points, passed, total, waiting}] in source order;
    failures: [{notebook, grade_id, headline, mistake, message, students}] most students first (the
    message is the first student's; failures that differ only in numbers count as one);
    trouble: [{student, notebook, kind, detail}].
    """
    out: dict[str, dict] = {}
    for student, assignment, entry in history.notebook_entries(report):
        a = out.setdefault(
            assignment, {"scores": {}, "max_score": {}, "checks": {}, "failures": {}, "trouble": []}
        )
        nb = entry["notebook"]
        spec = course.notebook(assignment, nb)
        secrets = feedback.hidden_secrets(spec) if spec is not None else []
        a["scores"][student] = a["scores"].get(student, 0.0) + float(entry.get("score") or 0)
        a["max_score"][nb] = float(entry.get("max_score") or 0)
        for cell in entry.get("cells", []):
            check = a["checks"].setdefault(
                (nb, cell["grade_id"]),
                {"notebook": nb, "grade_id": cell["grade_id"], "kind": cell["kind"], "points": cell["points"],
                 "passed": 0, "total": 0, "waiting": 0},
            )  # fmt: skip
            check["total"] += 1
            check["passed"] += cell["status"] == "passed"
            check["waiting"] += cell["status"] == "manual" and cell.get("score") is None
            if cell["status"] in ("failed", "partial") and cell.get("reason"):
                message = feedback.redact_text(cell["reason"], secrets)
                headline, mistake = failure_parts(message)
                # the same check failing the same way, whatever numbers a student's code produced
                key = (nb, cell["grade_id"], NUMBER.sub("#", headline), mistake)
                failure = a["failures"].setdefault(
                    key,
                    {"notebook": nb, "grade_id": cell["grade_id"], "headline": headline, "mistake": mistake,
                     "message": message[:MAX_MESSAGE], "students": 0},
                )  # fmt: skip
                failure["students"] += 1
        for p in entry.get("problems", []):
            if p.get("kind") in TROUBLE:
                detail = feedback.redact_text(str(p.get("detail", "")), secrets)[:MAX_MESSAGE]
                a["trouble"].append({"student": student, "notebook": nb, "kind": p["kind"], "detail": detail})
    for assignment, a in out.items():
        order = {}
        for name, spec in sorted(course.assignments.get(assignment, {}).items()):
            order.update({(name, c.grade_id): i for i, c in enumerate(spec.cells)})
        a["checks"] = sorted(
            a["checks"].values(),
            key=lambda c: (c["notebook"], order.get((c["notebook"], c["grade_id"]), 1e9)),
        )
        a["failures"] = sorted(
            a["failures"].values(), key=lambda f: (-f["students"], f["grade_id"], f["headline"])
        )
        a["max_score"] = sum(a["max_score"].values())
        a["scores"] = list(a["scores"].values())
    return dict(sorted(out.items()))


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _figure(uri: str, alt: str) -> str:
    return f'<figure><img src="{uri}" alt="{_e(alt)}"></figure>'


def _table(headers: list[str], rows: list[list], caption: str = "") -> str:
    """A table of cells: strings already escaped, numbers (int, float) right-aligned."""
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{c}</td>" if isinstance(c, str) else f'<td class="num">{c:g}</td>' for c in row)
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _checks_table(a: dict) -> str:
    rows = []
    for c in a["checks"]:
        if c["kind"] == "test":
            rate = f"{c['passed']} of {c['total']} ({100 * c['passed'] / max(c['total'], 1):.0f}%)"
        else:
            rate = f"written answer: {c['waiting']} of {c['total']} waiting for manual grading"
        rows.append([_e(c["notebook"]), _e(c["grade_id"]), float(c["points"]), _e(rate)])
    return _table(["notebook", "check", "points", "passed"], rows, "Pass rate per check")


def _section(assignment: str, a: dict) -> str:
    n = len(a["scores"])
    mean = sum(a["scores"]) / n if n else 0.0
    anchor = f"a-{_e(assignment)}"
    parts = [
        f'<div role="region" aria-labelledby="{anchor}"><h2 id="{anchor}">{_e(assignment)}</h2>',
        f"<p>{n} students graded; mean score {mean:.1f} of {a['max_score']:g}.</p>",
        _figure(*charts.score_histogram(a["scores"], a["max_score"], f"{assignment}: scores")),
    ]
    tests = [c for c in a["checks"] if c["kind"] == "test"]
    if tests:
        rates = [c["passed"] / c["total"] if c["total"] else 0.0 for c in tests]
        names = [c["grade_id"] for c in tests]
        parts.append(_figure(*charts.pass_rates(names, rates, f"{assignment}: pass rate per check")))
    parts.append(_checks_table(a))
    parts.append("<h3>Failing checks, most students first</h3>")
    if a["failures"]:
        rows = [
            [f["students"], _e(f["grade_id"]), _e(f["headline"]), _e(f["mistake"] or "-"),
             f"<pre>{_e(f['message'])}</pre>" if f["message"] != f["headline"] else "(the headline)"]
            for f in a["failures"]
        ]  # fmt: skip
        parts.append(_table(["students", "check", "what failed", "likely mistake", "message"], rows))
    else:
        parts.append("<p>No check failed with a message.</p>")
    parts.append("<h3>Students with problems</h3>")
    if a["trouble"]:
        rows = [
            [_e(t["student"]), _e(t["notebook"]), _e(t["kind"]), _e(t["detail"])]
            for t in sorted(a["trouble"], key=lambda t: (t["student"], t["notebook"], t["kind"]))
        ]
        parts.append(_table(["student", "notebook", "problem", "detail"], rows))
    else:
        parts.append("<p>None: no timeout, memory cap, crash or missing notebook.</p>")
    parts.append("</div>")
    return "\n".join(parts)


def render(report: dict, course: CourseSpec) -> str:
    """The whole page (inert: see the module docstring)."""
    summary = summarize(report, course)
    title = f"Class report: {report.get('course_id', 'course')}"
    body = "\n".join(_section(a, data) for a, data in summary.items()) or "<p>Nothing graded yet.</p>"
    page = (
        f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>{_e(title)}</title>'
        f"<style>{STYLE}</style></head>\n<body>\n<main>\n<h1>{_e(title)}</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return feedback.finish_page(page)


def write(out: Path, course: CourseSpec) -> Path:
    """Render ``out/report.json`` into ``out/class-report.html``, with the gradebook's manual grades; its path."""
    report = json.loads((Path(out) / "report.json").read_text(encoding="utf-8"))
    report = manual.report_with_gradebook(report, course)  # what a person graded since the run counts too
    path = Path(out) / NAME
    path.write_text(render(report, course), encoding="utf-8")
    return path
