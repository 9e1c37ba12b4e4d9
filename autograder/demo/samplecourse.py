"""A tiny two-assignment nbgrader course, for the autograder's tests and for trying it offline.

``write_sample_course(root)`` writes ``root/source/<assignment>/<assignment>.ipynb`` (answer cells,
test cells with hidden tests, a manually graded answer, read-only prompts) and builds
``root/release/`` from it with nbgrader's GenerateAssignment, like the real course's ``make release``.
It depends on numpy only, so it works whatever state the course's helpers are in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat


def _cell(kind: str, source: str, grade_id: str | None = None, points: float | None = None):
    if kind in ("md", "readonly", "manual"):
        cell = nbformat.v4.new_markdown_cell(source)
    else:
        cell = nbformat.v4.new_code_cell(source)
    meta = None
    if kind == "readonly":
        meta = {"grade": False, "locked": True, "solution": False}
    elif kind == "answer":
        meta = {"grade": False, "locked": False, "solution": True}
    elif kind == "test":
        meta = {"grade": True, "locked": True, "solution": False, "points": points}
    elif kind == "manual":
        meta = {"grade": True, "locked": False, "solution": True, "points": points}
    if meta is not None:
        cell.metadata["nbgrader"] = {**meta, "grade_id": grade_id, "schema_version": 3}
    return cell


SQUARES = [
    _cell("readonly", "# Squares and cubes\n\nTotal: 6 points.", "intro"),
    _cell("code", "import numpy as np"),
    _cell(
        "answer",
        'def square(x):\n    """Return x squared (elementwise for arrays)."""\n'
        "    ### BEGIN SOLUTION\n    return x * x\n    ### END SOLUTION",
        "square",
    ),
    _cell("code", "square(3)"),
    _cell(
        "test",
        "np.testing.assert_allclose(square(np.arange(3)), [0, 1, 4], err_msg='square of 0, 1, 2')\n"
        "### BEGIN HIDDEN TESTS\n"
        "assert square(-4) == 16, 'square(-4) should be 16'\n"
        "np.testing.assert_allclose(square(np.array([0.5, -2.5])), [0.25, 6.25])\n"
        "### END HIDDEN TESTS",
        "square_tests",
        2,
    ),
    _cell("readonly", "## Cube\n\nWrite `cube(x)`.", "cube_prompt"),
    _cell(
        "answer",
        'def cube(x):\n    """Return x cubed."""\n    ### BEGIN SOLUTION\n    return x ** 3\n    ### END SOLUTION',
        "cube",
    ),
    _cell(
        "test",
        "assert cube(2) == 8, 'cube(2) should be 8'\n"
        "### BEGIN HIDDEN TESTS\n"
        "np.testing.assert_allclose(cube(np.array([-1.5, 3.0])), [-3.375, 27.0], err_msg='cube of arrays')\n"
        "### END HIDDEN TESTS",
        "cube_tests",
        3,
    ),
    _cell(
        "manual",
        "Why is a cube odd?\n\n### BEGIN SOLUTION\nBecause (-x)^3 = -x^3.\n### END SOLUTION",
        "why",
        1,
    ),
]

DOUBLE = [
    _cell("code", "import numpy as np"),
    _cell(
        "answer",
        'def double(x):\n    """Return 2 x."""\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION',
        "double",
    ),
    _cell(
        "test",
        "assert double(2) == 4, 'double(2) should be 4'\n"
        "### BEGIN HIDDEN TESTS\nassert double(-1.5) == -3.0, 'double(-1.5) should be -3.0'\n### END HIDDEN TESTS",
        "double_tests",
        1,
    ),
]

ASSIGNMENTS = {"a1_squares": SQUARES, "a2_double": DOUBLE}

CONFIG = '''"""nbgrader configuration of the autograder's sample course."""
import os

c = get_config()  # noqa: F821
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "sample-course"
'''


def write_sample_course(root: Path | str, *, release: bool = True) -> Path:
    root = Path(root)
    for assignment, cells in ASSIGNMENTS.items():
        folder = root / "source" / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.cells = [nbformat.from_dict(json.loads(json.dumps(c))) for c in cells]
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{assignment[:2]}-cell-{i}"
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
    (root / "nbgrader_config.py").write_text(CONFIG)
    if release:
        build_release(root)
    return root


def build_release(root: Path) -> None:
    """``nbgrader generate_assignment`` for every assignment, into ``root/release``."""
    import logging

    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from ..receive.course import ensure_tools_on_path

    ensure_tools_on_path()
    root = Path(root).resolve()
    db = root / ".release-gradebook.db"
    quiet = logging.getLogger("autograder.nbgrader")
    quiet.setLevel(logging.ERROR)
    for assignment in ASSIGNMENTS:
        c = Config()
        c.CourseDirectory.root = str(root)
        c.CourseDirectory.course_id = "sample-course"
        c.CourseDirectory.db_url = f"sqlite:///{db}"
        c.CourseDirectory.assignment_id = assignment
        c.GenerateAssignment.create_assignment = True
        conv = GenerateAssignment(coursedir=CourseDirectory(config=c, log=quiet), config=c, log=quiet)
        conv.force = True
        conv.start()
    db.unlink(missing_ok=True)
    shutil.rmtree(root / ".pytest_cache", ignore_errors=True)
