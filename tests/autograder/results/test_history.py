"""autograder.results.history: report merging, fingerprints, and the changes between two gradings."""

from __future__ import annotations

import json

from autograder.receive.course import CellSpec, NotebookSpec
from autograder.results import history


def nb_entry(name, cells, tests_hash=None, handin="h1", score=None, max_score=None):
    cells = [{"grade_id": g, "kind": "test", "points": p, "score": s, "status": "passed" if s == p else "failed",
              "reason": ""} for g, p, s in cells]  # fmt: skip
    entry = {"notebook": name, "status": "graded", "cells": cells, "problems": [],
             "score": score if score is not None else sum(c["score"] or 0 for c in cells),
             "max_score": max_score if max_score is not None else sum(c["points"] for c in cells)}  # fmt: skip
    if tests_hash is not None:
        entry["tests_hash"], entry["handin_hash"] = tests_hash, handin
    return entry


def report(*students):
    """students: (id, {assignment: [notebook entries]})"""
    out = []
    for sid, assignments in students:
        a = {
            name: {"score": sum(e["score"] for e in nbs), "max_score": sum(e["max_score"] for e in nbs),
                   "notebooks": nbs}
            for name, nbs in assignments.items()
        }  # fmt: skip
        out.append({"student_id": sid, "score": sum(x["score"] for x in a.values()),
                    "max_score": sum(x["max_score"] for x in a.values()), "assignments": a})  # fmt: skip
    return {"course_id": "c", "students": out}


def test_tests_hashes_change_with_a_tests_source_or_points_only():
    def spec(source, points):
        return NotebookSpec("a", "a", [
            CellSpec("t", "test", "code", source, None, points),
            CellSpec("ans", "answer", "code", "x = 1", None, None),
        ])  # fmt: skip

    base = history.tests_hashes(spec("assert f(1) == 1", 2.0))
    assert set(base) == {"t"}  # answers are not exercises
    assert history.tests_hashes(spec("assert f(1) == 1", 2.0)) == base
    assert history.tests_hashes(spec("assert f(1) == 1", 3.0))["t"] != base["t"]
    assert history.tests_hashes(spec("assert f(2) == 2", 2.0))["t"] != base["t"]


def test_merge_keeps_every_hand_in_not_graded_now_and_recomputes_totals():
    old_ada = nb_entry("a1", [("t1", 2.0, 2.0)])
    old_bob_a1 = nb_entry("a1", [("t1", 2.0, 0.0)])
    old_bob_a2 = nb_entry("a2", [("t2", 1.0, 1.0)])
    previous = report(("ada", {"a1": [old_ada]}), ("bob", {"a1": [old_bob_a1], "a2": [old_bob_a2]}))
    new_bob_a1 = nb_entry("a1", [("t1", 2.0, 2.0)])
    current = report(("bob", {"a1": [new_bob_a1]}), ("cy", {"a2": [nb_entry("a2", [("t2", 1.0, 0.0)])]}))
    merged = history.merge(current, previous)
    by_id = {s["student_id"]: s for s in merged["students"]}
    assert [s["student_id"] for s in merged["students"]] == ["ada", "bob", "cy"]
    assert by_id["ada"]["assignments"]["a1"]["notebooks"] == [old_ada]  # not graded now: kept as it was
    assert by_id["bob"]["assignments"]["a1"]["notebooks"] == [new_bob_a1]  # graded now: replaced
    assert by_id["bob"]["assignments"]["a2"]["notebooks"] == [old_bob_a2]
    assert (by_id["bob"]["score"], by_id["bob"]["max_score"]) == (3.0, 3.0)
    assert (by_id["ada"]["score"], by_id["cy"]["score"]) == (2.0, 0.0)


def test_load_report_of_a_missing_or_foreign_file_is_empty(tmp_path):
    assert history.load_report(tmp_path / "none.json") == {"students": []}
    (tmp_path / "r.json").write_text("[1, 2]")
    assert history.load_report(tmp_path / "r.json") == {"students": []}
    (tmp_path / "r.json").write_text("{not json")
    assert history.load_report(tmp_path / "r.json") == {"students": []}


def test_changes_say_old_new_and_why():
    h = {"t1": "x", "t2": "y"}
    previous = report(
        ("ada", {"a": [nb_entry("a", [("t1", 2.0, 2.0), ("t2", 1.0, 0.0)], h, "h1")]}),
        ("bob", {"a": [nb_entry("a", [("t1", 2.0, 0.0), ("t2", 1.0, 0.0)], h, "h1")]}),
        ("cy", {"a": [nb_entry("a", [("t1", 2.0, 2.0), ("t2", 1.0, 1.0)], h, "h1")]}),
    )
    current = report(
        # t1's points changed for everyone; ada also handed in again and now passes t2
        ("ada", {"a": [nb_entry("a", [("t1", 4.0, 4.0), ("t2", 1.0, 1.0)], {"t1": "x2", "t2": "y"}, "h2")]}),
        ("bob", {"a": [nb_entry("a", [("t1", 4.0, 0.0), ("t2", 1.0, 0.0)], {"t1": "x2", "t2": "y"}, "h1")]}),
        ("cy", {"a": [nb_entry("a", [("t1", 2.0, 2.0), ("t2", 1.0, 0.0)], h, "h1")]}),
        ("new", {"a": [nb_entry("a", [("t1", 4.0, 4.0)], h, "h9")]}),  # first grading: no change to report
    )
    rows = history.changes(previous, current)
    got = {
        (r["student"], r["exercise"]): (r["old"], r["old_max"], r["new"], r["new_max"], r["why"])
        for r in rows
    }
    assert got == {
        ("ada", "t1"): (2.0, 2.0, 4.0, 4.0, "test and hand-in changed"),
        ("ada", "t2"): (0.0, 1.0, 1.0, 1.0, "hand-in changed"),
        ("bob", "t1"): (0.0, 2.0, 0.0, 4.0, "test changed"),  # same 0, a new maximum: still a change
        ("cy", "t2"): (1.0, 1.0, 0.0, 1.0, "grader or limits changed (same test, same hand-in)"),
    }


def test_changes_against_a_report_without_fingerprints_say_so():
    previous = report(("ada", {"a": [nb_entry("a", [("t1", 2.0, 0.0)])]}))
    current = report(("ada", {"a": [nb_entry("a", [("t1", 2.0, 2.0)], {"t1": "x"}, "h")]}))
    [row] = history.changes(previous, current)
    assert row["why"].startswith("unknown")


def test_changes_table_and_file(tmp_path):
    assert history.changes_table([]) == "No score changed since the last grading."
    rows = [{"student": "ada\x1b[2J", "assignment": "a", "notebook": "a", "exercise": "t1", "old": 2.0,
             "old_max": 2.0, "new": None, "new_max": 4.0, "why": "test changed"}]  # fmt: skip
    table = history.changes_table(rows)
    assert "\x1b" not in table  # a student id cannot drive the terminal
    assert "2 / 2 -> manual / 4" in table and "test changed" in table and "changes.json" in table
    history.write_changes(tmp_path / "changes.json", rows)
    assert json.loads((tmp_path / "changes.json").read_text()) == {"changes": rows}


def test_merge_keeps_the_own_problems_of_a_student_not_graded_now():
    """An unplaced hand-in's problem (the student's own, no assignment) survives another student's regrade."""
    lost = {"kind": "unplaced", "detail": "lost/notes.ipynb is outside any assignment folder"}
    previous = report(("ada", {"a1": [nb_entry("a1", [("t1", 2.0, 2.0)])]}), ("lost", {}))
    previous["students"][1]["problems"] = [lost]
    current = report(("ada", {"a1": [nb_entry("a1", [("t1", 2.0, 1.0)])]}))
    current["students"][0]["problems"] = []
    by_id = {s["student_id"]: s for s in history.merge(current, previous)["students"]}
    assert by_id["lost"]["problems"] == [lost] and by_id["lost"]["score"] == 0.0
    assert by_id["ada"]["problems"] == []
    # graded again, and placed this time: the current run's problems replace the old ones
    again = report(("lost", {"a1": [nb_entry("a1", [("t1", 2.0, 2.0)])]}))
    again["students"][0]["problems"] = []
    assert {s["student_id"]: s for s in history.merge(again, previous)["students"]}["lost"]["problems"] == []
