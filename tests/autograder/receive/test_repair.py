"""autograder.receive.repair: every kind of test-cell tampering is undone from the gradebook (no execution)."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.receive import repair
from tests.autograder.support import grade_ids, make_course, make_spec, perfect, release


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return make_course(tmp_path_factory)


@pytest.fixture(scope="module")
def course_spec(course, tmp_path_factory):
    return make_spec(course, tmp_path_factory)


def prepared(course_spec, nb, assignment="a1_squares"):
    spec = course_spec.notebook(assignment, assignment)
    out, events = repair.prepare(nb, spec)
    nbformat.validate(out)
    return out, {(e.kind, e.grade_id) for e in events}, spec


def test_untouched_release_gets_hidden_tests_back_and_nothing_else_changes(course, course_spec):
    nb = release(course, "a1_squares")
    out, events, spec = prepared(course_spec, nb)
    assert events == set()
    tests = {
        c.metadata["nbgrader"]["grade_id"]: c.source
        for c in out.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    assert "BEGIN HIDDEN TESTS" in tests["square_tests"]
    assert tests["square_tests"] == spec.by_id()["square_tests"].source
    assert out.cells[1].source == nb.cells[1].source == "import numpy as np"  # ordinary cells untouched


def test_visible_test_edited_to_pass_is_restored(course, course_spec):
    nb = release(course, "a1_squares")
    nb.cells[grade_ids(nb).index("square_tests")].source = "pass"
    out, events, spec = prepared(course_spec, nb)
    assert ("restored", "square_tests") in events
    assert out.cells[grade_ids(out).index("square_tests")].source == spec.by_id()["square_tests"].source


def test_deleted_test_is_reinserted_after_the_cells_it_follows(course, course_spec):
    nb = release(course, "a1_squares")
    del nb.cells[grade_ids(nb).index("square_tests")]
    out, events, _ = prepared(course_spec, nb)
    assert ("reinserted", "square_tests") in events
    ids = grade_ids(out)
    # after the answer and the "try it" cell, before the next exercise's prompt, as in source/
    assert ids.index("square") < ids.index("square_tests") < ids.index("cube_prompt")
    assert ids.index("square_tests") == ids.index("cube_prompt") - 1


def test_tampered_metadata_is_repaired_not_a_crash(course, course_spec):
    nb = release(course, "a1_squares")
    cell = nb.cells[grade_ids(nb).index("cube_tests")]
    cell.metadata["nbgrader"].update(points=100, grade=False, locked=False, checksum="0" * 32)
    cell.source = "assert True"
    out, events, spec = prepared(course_spec, nb)
    meta = out.cells[grade_ids(out).index("cube_tests")].metadata["nbgrader"]
    assert meta["points"] == 3 and meta["grade"] and meta["locked"] and not meta["solution"]
    assert ("metadata", "cube_tests") in events


def test_metadata_stripped_test_is_recognised_by_cell_id_or_text(course, course_spec):
    nb = release(course, "a1_squares")
    i = grade_ids(nb).index("cube_tests")
    del nb.cells[i].metadata["nbgrader"]
    out, _, _ = prepared(course_spec, nb)
    assert grade_ids(out).count("cube_tests") == 1
    nb.cells[i]["id"] = "renamed"  # no grade_id, no known id: the text still identifies it
    out, _, _ = prepared(course_spec, nb)
    assert grade_ids(out).count("cube_tests") == 1


def test_test_turned_into_markdown_becomes_code_again(course, course_spec):
    nb = release(course, "a1_squares")
    i = grade_ids(nb).index("square_tests")
    nb.cells[i] = nbformat.v4.new_markdown_cell(nb.cells[i].source, metadata=nb.cells[i].metadata)
    out, events, _ = prepared(course_spec, nb)
    assert ("retyped", "square_tests") in events
    assert out.cells[grade_ids(out).index("square_tests")].cell_type == "code"


def test_answer_turned_into_markdown_becomes_code_with_the_students_text(course, course_spec):
    nb = perfect(course, "a1_squares")
    i = grade_ids(nb).index("cube")
    text = nb.cells[i].source
    nb.cells[i] = nbformat.v4.new_markdown_cell(text, metadata=nb.cells[i].metadata)
    out, _, _ = prepared(course_spec, nb)
    cell = out.cells[grade_ids(out).index("cube")]
    assert cell.cell_type == "code" and cell.source == text


def test_test_moved_above_its_answer_goes_back_below(course, course_spec):
    nb = release(course, "a1_squares")
    ids = grade_ids(nb)
    test = nb.cells.pop(ids.index("cube_tests"))
    nb.cells.insert(0, test)
    out, events, _ = prepared(course_spec, nb)
    ids = grade_ids(out)
    assert ("moved", "cube_tests") in events
    assert ids.index("cube") < ids.index("cube_tests")


def test_duplicates_are_not_graded_twice(course, course_spec):
    nb = perfect(course, "a1_squares")
    ids = grade_ids(nb)
    nb.cells.insert(0, nbformat.from_dict(json.loads(json.dumps(nb.cells[ids.index("square_tests")]))))
    nb.cells.append(nbformat.from_dict(json.loads(json.dumps(nb.cells[ids.index("cube") + 1]))))
    out, events, _ = prepared(course_spec, nb)
    assert grade_ids(out).count("square_tests") == 1
    assert grade_ids(out).count("cube") == 1
    assert any(kind == "duplicate" for kind, _ in events)


def test_every_kind_of_tampering_at_once_still_yields_the_source_layout(course, course_spec):
    nb = demo.tamper(perfect(course, "a1_squares"))
    out, _, spec = prepared(course_spec, nb)
    graded = [g for g in grade_ids(out) if g in spec.by_id()]
    assert graded == [c.grade_id for c in spec.cells]
    for c in spec.tests:
        assert out.cells[grade_ids(out).index(c.grade_id)].source == c.source


def test_unknown_grade_ids_lose_their_grading_role(course, course_spec):
    nb = release(course, "a1_squares")
    extra = nbformat.v4.new_code_cell("x = 1")
    extra.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": "bonus",
        "points": 50,
        "locked": True,
        "solution": False,
        "schema_version": 3,
    }
    nb.cells.append(extra)
    out, events, _ = prepared(course_spec, nb)
    assert ("unknown_cell", "bonus") in events
    assert "nbgrader" not in out.cells[-1].metadata


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not JSON {", "not a Jupyter notebook"),
        (b"\xff\xfe\x00garbage", "not a text file"),
        (b'{"hello": "world"}', "not a Jupyter notebook"),
        (
            b'{"cells": [{"source": "x"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
            "not a Jupyter",
        ),
    ],
)
def test_unreadable_files_raise_a_readable_reason(data, reason):
    with pytest.raises(repair.NotANotebook, match=reason):
        repair.read_notebook(data)


def test_fingerprint_tells_notebooks_apart(course, course_spec):
    a1 = course_spec.notebook("a1_squares", "a1_squares")
    a2 = course_spec.notebook("a2_double", "a2_double")
    nb = release(course, "a1_squares")
    assert repair.fingerprint(nb, a1) > repair.fingerprint(nb, a2) == 0
