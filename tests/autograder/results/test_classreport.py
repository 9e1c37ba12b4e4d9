"""autograder.results.classreport: the class at a glance, inert, with the hidden tests redacted.

The last test opens the page in Debian's chromium (playwright, as tests/test_browser.py does): every
figure decodes (naturalWidth > 0), no script exists, and nothing but the page itself is requested.
"""

from __future__ import annotations

import json
import re

import pytest

from autograder.results import classreport
from tests.autograder.support import active_or_external, make_course, make_spec, open_in_chromium

HIDDEN_LINE = "assert square(-4) == 16, 'square(-4) should be 16'"
FACTOR = (
    "AssertionError: square(x) is not the expected value.\n  expected: 4\n  got:      -4\n"
    "  likely mistake: the sign is lost: you returned x * abs(x)\n  where x * x is needed.\n  sizes: 3"
)


def cell(gid, kind, points, score, status, reason=""):
    return {
        "grade_id": gid,
        "kind": kind,
        "points": points,
        "score": score,
        "status": status,
        "reason": reason,
    }


def a1(square, cube, why=None, problems=()):
    cells = [
        cell("square_tests", "test", 2.0, 2.0 if square == "pass" else 0.0,
             "passed" if square == "pass" else "failed", "" if square == "pass" else square),
        cell("cube_tests", "test", 3.0, 3.0 if cube == "pass" else 0.0,
             "passed" if cube == "pass" else "failed", "" if cube == "pass" else cube),
        cell("why", "manual", 1.0, why, "manual" if why is None else "graded by hand"),
    ]  # fmt: skip
    score = sum(c["score"] or 0 for c in cells)
    return {"notebook": "a1_squares", "status": "graded", "score": score, "max_score": 6.0, "cells": cells,
            "problems": list(problems)}  # fmt: skip


def student(sid, entry):
    return {
        "student_id": sid,
        "score": entry["score"],
        "max_score": 6.0,
        "assignments": {"a1_squares": {"score": entry["score"], "max_score": 6.0, "notebooks": [entry]}},
    }


REPORT = {
    "course_id": "sample",
    "students": [
        student("ada", a1("pass", "pass", why=1.0)),
        student("bob", a1(FACTOR.replace("-4", "-9"), "AssertionError: cube(2) should be 8, got 2.5")),
        student("cy", a1(FACTOR, "AssertionError: cube(2) should be 8, got -1e+30")),
        student("dee", a1(FACTOR, f"AssertionError: leaked {HIDDEN_LINE}",
                          problems=[{"kind": "timeout", "detail": "cell timed out after 5 s", "cell": "cube"},
                                    {"kind": "moved", "detail": "a repair, not a problem"}])),
        student("eve<script>", a1("pass", "pass", problems=[{"kind": "memory", "detail": "MemoryError"}])),
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_spec(make_course(tmp_path_factory), tmp_path_factory)


def test_failure_parts_take_the_headline_and_the_named_mistake():
    assert classreport.failure_parts(FACTOR) == (
        "AssertionError: square(x) is not the expected value.",
        "the sign is lost: you returned x * abs(x) where x * x is needed.",
    )
    assert classreport.failure_parts("AssertionError: cube(2) should be 8") == (
        "AssertionError: cube(2) should be 8",
        "",
    )


def test_summary_counts_pass_rates_ranks_failures_and_lists_trouble(course):
    s = classreport.summarize(REPORT, course)["a1_squares"]
    assert sorted(s["scores"]) == [0.0, 0.0, 0.0, 5.0, 6.0] and s["max_score"] == 6.0
    checks = {c["grade_id"]: (c["passed"], c["total"], c["waiting"]) for c in s["checks"]}
    assert checks == {"square_tests": (2, 5, 0), "cube_tests": (2, 5, 0), "why": (0, 5, 4)}
    assert [c["grade_id"] for c in s["checks"]] == ["square_tests", "cube_tests", "why"]  # source order
    first = s["failures"][0]
    assert (first["grade_id"], first["students"]) == ("square_tests", 3)  # got -4 and got -9: one mistake
    assert first["mistake"] == "the sign is lost: you returned x * abs(x) where x * x is needed."
    assert [f["students"] for f in s["failures"]] == [3, 2, 1]
    assert (
        s["failures"][1]["headline"] == "AssertionError: cube(2) should be 8, got 2.5"
    )  # got 2.5, got -1e+30
    assert s["trouble"] == [
        {"student": "dee", "notebook": "a1_squares", "kind": "timeout", "detail": "cell timed out after 5 s"},
        {"student": "eve<script>", "notebook": "a1_squares", "kind": "memory", "detail": "MemoryError"},
    ]


def test_page_is_inert_redacted_and_accessible(course):
    page = classreport.render(REPORT, course)
    assert active_or_external(page) == []
    assert "<script" not in page and "Content-Security-Policy" in page
    assert '<html lang="en">' in page and "<main>" in page and "</main>" in page
    assert HIDDEN_LINE not in page and "leaked [hidden test]" in page
    assert "<td>eve&lt;script&gt;</td>" in page  # a student id is text
    images = re.findall(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', page)
    assert (
        len(images) == 2
        and "histogram of 5 scores out of 6" in images[0]
        and "1 between 5.4 and 6" in images[0]
    )
    assert "square_tests 40%" in images[1] and "cube_tests 40%" in images[1]
    assert "2 of 5 (40%)" in page and "4 of 5 waiting for manual grading" in page
    assert "the sign is lost" in page and "cell timed out after 5 s" in page
    assert "a repair, not a problem" not in page


def test_write_reads_report_json(tmp_path, course):
    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    path = classreport.write(tmp_path, course)
    assert path == tmp_path / "class-report.html" and "a1_squares" in path.read_text()


@pytest.mark.browser
def test_the_page_renders_in_chromium_with_no_script_and_no_request(tmp_path, course):
    (tmp_path / "report.json").write_text(json.dumps(REPORT))
    seen = open_in_chromium(classreport.write(tmp_path, course))
    assert len(seen["widths"]) == 2 and all(w > 100 for w in seen["widths"]), seen
    assert all(seen["alts"]) and (seen["scripts"], seen["lang"], seen["mains"]) == (0, "en", 1)
    assert seen["requested"] == []
    assert seen["axe"] == [], seen["axe"]  # issue 23: no accessibility violation of any impact
