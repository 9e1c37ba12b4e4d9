"""Tools for testing the course notebooks the way nbgrader grades them.

``grade(name, answers)`` emulates ``nbgrader autograde`` on one notebook without a gradebook: it
starts from the instructor version (so hidden tests are present, as after nbgrader restores them),
puts the student's answers into the solution cells (by default the untouched release stubs), runs
it with ``NBGRADER_EXECUTION=autograde`` and scores every graded cell with nbgrader's own
``determine_grade``.  Typical use in ``tests/test_notebook_NN_name.py``::

    from tests.nbtools import grade, release_answer

    def test_delegating_relu_earns_nothing():
        result = grade("02_activations", {"relu": "from helpers.activations import relu"})
        assert result["relu_tests"].score == 0
        assert "earns no credit" in result["relu_tests"].error
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.utils import determine_grade, is_grade, is_solution

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py"))


def source_path(name: str) -> Path:
    return ROOT / "source" / name / f"{name}.ipynb"


def release_path(name: str) -> Path:
    return ROOT / "release" / name / f"{name}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def cells_by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """Cells that carry an nbgrader grade_id, keyed by it."""
    return {
        c.metadata["nbgrader"]["grade_id"]: c
        for c in nb.cells
        if "grade_id" in c.metadata.get("nbgrader", {})
    }


def test_cells(nb: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the autograded test cells, in order."""
    return [gid for gid, c in cells_by_id(nb).items() if is_grade(c) and not is_solution(c)]


test_cells.__test__ = False  # a helper, not a pytest test (it starts with "test_")


def answer_cells(nb: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the code cells a student must fill in."""
    return [gid for gid, c in cells_by_id(nb).items() if is_solution(c) and c.cell_type == "code"]


def manual_cells(nb: nbformat.NotebookNode) -> list[str]:
    """grade_ids of the manually graded answers."""
    return [gid for gid, c in cells_by_id(nb).items() if is_solution(c) and is_grade(c)]


def release_answer(name: str, grade_id: str) -> str:
    """The stub a student starts from for one answer cell."""
    return cells_by_id(read(release_path(name)))[grade_id].source


def solution(name: str, grade_id: str) -> str:
    """The instructor's answer for one answer cell."""
    return cells_by_id(read(source_path(name)))[grade_id].source


@dataclass
class CellGrade:
    score: float
    max_score: float
    error: str  # "" when the cell ran clean; else the error name, message and any stderr


def execute(
    nb: nbformat.NotebookNode, workdir: Path, *, execution: str = "autograde", timeout: int = 120
) -> None:
    """Run ``nb`` in place as nbgrader would (``NBGRADER_EXECUTION`` set), errors kept in outputs."""
    from nbclient import NotebookClient

    old = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = execution
    try:
        NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(workdir)}},
        ).execute()
    finally:
        if old is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old


def error_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        elif out.output_type == "stream" and out.name == "stderr":
            parts.append(f"stderr: {out.text}")
    return "\n".join(parts)


def grade(name: str, answers: dict[str, str] | None = None, *, perfect: bool = False) -> dict[str, CellGrade]:
    """Score notebook ``name`` for a student whose answer cells hold ``answers``.

    Answer cells not in ``answers`` keep the release stub (``raise NotImplementedError()``), or the
    instructor's solution when ``perfect`` is true.  Returns one ``CellGrade`` per autograded test cell.
    """
    nb = copy.deepcopy(read(source_path(name)))
    stubs = cells_by_id(read(release_path(name)))
    answers = dict(answers or {})
    unknown = set(answers) - set(answer_cells(nb))
    if unknown:
        raise KeyError(f"{name} has no answer cells {sorted(unknown)}; it has {answer_cells(nb)}")
    for gid, cell in cells_by_id(nb).items():
        if cell.cell_type != "code" or not is_solution(cell):
            continue
        if gid in answers:
            cell.source = answers[gid]
        elif not perfect:
            cell.source = stubs[gid].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        execute(nb, Path(tmp))
    results = {}
    for gid, cell in cells_by_id(nb).items():
        if is_grade(cell) and not is_solution(cell):
            score, max_score = determine_grade(cell)
            results[gid] = CellGrade(float(score), float(max_score), error_text(cell))
    return results


def assert_only_lost(results: dict[str, CellGrade], lost: set[str]) -> None:
    """The test cells in ``lost`` score 0; every other one keeps its full points."""
    for gid, result in results.items():
        if gid in lost:
            assert result.score == 0, f"{gid} should fail for the wrong answer, scored {result.score}"
        else:
            assert result.score == result.max_score, f"{gid} lost points: {result.error}"


SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
TRIVIAL = re.compile(
    r"^\s*(#.*|pass|return|else:|try:|\)|\]|\}|[a-z_]+\s*=\s*(0|None|\[\]|\{\})|"
    r"[\w.]+\(|)\s*$"  # ... or the opening line of a call split over lines: ``testing.assert_true(``
)


def secret_lines(name: str) -> list[str]:
    """Non-trivial lines of the instructor's solutions and hidden tests: none may reach the release.

    A line that also stands outside those blocks in the instructor's version (a visible test's
    ``testing.assert_close(`` say) is public anyway and is not listed.
    """
    cells = read(source_path(name)).cells
    public = set()
    for cell in cells:
        visible = HIDDEN_BLOCK.sub("", SOLUTION_BLOCK.sub("", cell.source))
        public |= {ln.strip() for ln in visible.splitlines()}
    lines = []
    for cell in cells:
        for block in SOLUTION_BLOCK.findall(cell.source) + HIDDEN_BLOCK.findall(cell.source):
            lines += [
                ln.strip()
                for ln in block.splitlines()
                if not TRIVIAL.match(ln) and len(ln.strip()) > 12 and ln.strip() not in public
            ]
    return lines
