"""Run a notebook's mutant catalogue against its visible and its full (hidden-included) test cells.

One kernel per notebook: the instructor's notebook runs once with ``NBGRADER_EXECUTION=autograde`` (08
then trains on the shipped sample only); then, for every catalogue entry, the kernel runs the entry's
code (which redefines one function wrongly), each test cell of that exercise as the student sees it
(the release version: Validate) and as the grader runs it (the source version, hidden tests
included), scores both with nbgrader's ``determine_grade``, and restores the correct answer cell and
the notebook's data (a test of an in-place mutant must not poison the next one).

``python -m tests.mutants.run [NN_name ...]`` prints one line per entry and the summary.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field

import nbformat
from nbgrader.utils import determine_grade, is_grade, is_solution

from tests.mutants import Mutant, catalogue
from tests.nbtools import NAMES, ROOT, cells_by_id, error_text, read, release_path, source_path

SUMMARY_DIR = ROOT / ".state" / "mutants"

# Copies of the notebook's data (arrays, dicts, lists) taken after the clean run, put back before each
# test cell runs: a mutant that changes its input in place must not change what the next cell or entry
# is tested on. Big arrays (figure grids, data sets) are left out: copying them each time is slow, and
# no test cell hands them to a student's function.
_SNAPSHOT = """
import copy as _mut_copy
_MUT_SNAPSHOT = {}
for _mut_k, _mut_v in list(globals().items()):
    if _mut_k.startswith(("_i", "_o", "_d", "__", "_MUT", "_mut")) or _mut_k in ("_", "In", "Out"):
        continue
    if isinstance(_mut_v, np.ndarray) and (_mut_v.size > 100_000 or _mut_v.dtype.kind not in "biufc"):
        continue  # big data, or an array of matplotlib axes
    if isinstance(_mut_v, (dict, list)) and not all(
        isinstance(_mut_x, (int, float, str, np.number)) or (isinstance(_mut_x, np.ndarray) and _mut_x.dtype.kind in "biufc")
        for _mut_x in (_mut_v.values() if isinstance(_mut_v, dict) else _mut_v)
    ):
        continue  # only plain data: no figures, networks or modules
    if isinstance(_mut_v, (np.ndarray, dict, list)):
        try:
            _MUT_SNAPSHOT[_mut_k] = _mut_copy.deepcopy(_mut_v)
        except Exception:
            pass
"""
_RESTORE = "globals().update(_mut_copy.deepcopy(_MUT_SNAPSHOT))"


@dataclass
class Outcome:
    exercise: str
    name: str
    kind: str  # "mutant" or "passing"
    common: bool
    expect: list[str]
    forbid: list[str] = field(default_factory=list)
    visible_failed: bool = False  # some visible test cell of the exercise lost points (Validate)
    graded_lost: bool = False  # some full test cell lost points (grading)
    message: str = ""  # error of the first full test cell that lost points
    setup_error: str = ""  # the entry's own code failed to run
    taught: str = ""  # the ungraded check cell that must catch it instead of a graded test
    taught_failed: bool = False  # that cell failed
    cells: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # gid: visible, full, max

    @property
    def words_ok(self) -> bool:
        """The message carries every expected word and none of the forbidden ones."""
        text = self.message.lower()
        return all(word.lower() in text for word in self.expect) and not self.wrong_words

    @property
    def wrong_words(self) -> list[str]:
        text = self.message.lower()
        return [word for word in self.forbid if word.lower() in text]


def exercises(nb) -> dict[str, list[str]]:
    """Answer cell grade_id -> the grade_ids of the test cells that follow it (up to the next answer)."""
    out: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if "grade_id" not in meta or cell.cell_type != "code":
            continue
        if is_solution(cell):
            current = meta["grade_id"]
            out[current] = []
        elif is_grade(cell) and current is not None:
            out[current].append(meta["grade_id"])
    return out


class _Kernel:
    def __init__(self, client):
        self.client = client

    def run(self, cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
        cell = copy.deepcopy(cell)
        cell.outputs = []
        # nbclient stores the executed cell at its index: use a scratch slot at the end
        if not self.client.nb.cells or self.client.nb.cells[-1].get("id") != "mutants-scratch":
            self.client.nb.cells.append(nbformat.v4.new_code_cell("", id="mutants-scratch"))
        self.client.execute_cell(cell, len(self.client.nb.cells) - 1)
        return cell

    def code(self, source: str) -> str:
        """Run ``source``; return its error text ("" when clean)."""
        return error_text(self.run(nbformat.v4.new_code_cell(source)))


def _score(cell) -> float:
    score, _ = determine_grade(cell)
    return float(score)


def run_notebook(name: str, *, timeout: int = 300) -> tuple[list[Outcome], list[str]]:
    """``(outcomes, problems)``: one outcome per catalogue entry; problems of the clean run."""
    from nbclient import NotebookClient

    mutants, passing = catalogue(name)
    source, release = read(source_path(name)), read(release_path(name))
    src_cells, rel_cells = cells_by_id(source), cells_by_id(release)
    tests_of = exercises(source)
    nb = copy.deepcopy(source)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    problems = []
    outcomes = []
    old = os.environ.get("NBGRADER_EXECUTION")
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            client = NotebookClient(
                nb,
                timeout=timeout,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": tmp}},
            )
            # cells after the last test cell cannot change a test: leave them out (05 trains there)
            last = max(i for i, c in enumerate(nb.cells) if is_grade(c) and not is_solution(c))
            with client.setup_kernel():
                for index, cell in enumerate(nb.cells[: last + 1]):
                    if cell.cell_type == "code":
                        client.execute_cell(cell, index)
                for gid, cell in cells_by_id(nb).items():
                    if is_grade(cell) and not is_solution(cell):
                        score, max_score = determine_grade(cell)
                        if score != max_score:
                            problems.append(f"{gid} fails for the instructor's answers: {error_text(cell)}")
                kernel = _Kernel(client)
                kernel.code(_SNAPSHOT)
                for entry in [*mutants, *passing]:
                    outcomes.append(_try(kernel, entry, tests_of, src_cells, rel_cells))
    finally:
        if old is None:
            os.environ.pop("NBGRADER_EXECUTION", None)
        else:
            os.environ["NBGRADER_EXECUTION"] = old
    return outcomes, problems


def _try(kernel, entry, tests_of, src_cells, rel_cells) -> Outcome:
    is_mutant = isinstance(entry, Mutant)
    outcome = Outcome(
        exercise=entry.exercise,
        name=entry.name,
        kind="mutant" if is_mutant else "passing",
        common=entry.common if is_mutant else False,
        expect=list(entry.expect) if is_mutant else [],
        taught=entry.taught if is_mutant else "",
        forbid=list(entry.forbid) if is_mutant else [],
    )
    if entry.exercise not in tests_of:
        outcome.setup_error = f"no answer cell {entry.exercise!r}; there are {sorted(tests_of)}"
        return outcome
    outcome.setup_error = kernel.code(entry.code)
    if not outcome.setup_error:
        for gid in tests_of[entry.exercise]:
            maximum = float(src_cells[gid].metadata["nbgrader"]["points"])
            visible = rel_cells[gid]
            full = kernel.run(_with_source(src_cells[gid], _RESTORE + "\n" + src_cells[gid].source))
            visible_score = _score(kernel.run(_with_source(full, _RESTORE + "\n" + visible.source)))
            full_score = _score(full)
            outcome.cells[gid] = (visible_score, full_score, maximum)
            outcome.visible_failed |= visible_score < maximum
            if full_score < maximum and not outcome.graded_lost:
                outcome.graded_lost = True
                outcome.message = error_text(full)
        if outcome.taught:
            check = kernel.run(
                _with_source(src_cells[outcome.taught], _RESTORE + "\n" + src_cells[outcome.taught].source)
            )
            outcome.taught_failed = bool(error_text(check))
            if outcome.taught_failed:  # its words are the ungraded check's
                outcome.message = error_text(check)
    # put the correct answer back (the data are put back before each test cell)
    kernel.run(src_cells[entry.exercise])
    return outcome


def _with_source(cell, source):
    cell = copy.deepcopy(cell)
    cell.source = source
    return cell


def summary_row(name: str, outcomes: list[Outcome], seconds: float) -> dict:
    mutants = [o for o in outcomes if o.kind == "mutant"]
    common = [o for o in mutants if o.common]
    return {
        "notebook": name,
        "mutants": len(mutants),
        "common": len(common),
        "common_at_validate": sum(o.visible_failed for o in common),
        "at_validate": sum(o.visible_failed for o in mutants),
        "at_grading": sum(o.graded_lost for o in mutants),
        "words_ok": sum(o.words_ok for o in mutants if o.graded_lost),
        "passing": sum(o.kind == "passing" for o in outcomes),
        "passing_ok": sum(
            o.kind == "passing" and not o.setup_error and not o.visible_failed and not o.graded_lost
            for o in outcomes
        ),
        "seconds": round(seconds, 1),
    }


def format_table(rows: list[dict]) -> str:
    head = (
        f"{'notebook':<18} {'mutants':>7} {'common':>6} {'common caught at Validate':>26} "
        f"{'all at Validate':>15} {'lose points at grading':>22} {'right words':>11} "
        f"{'alternatives pass':>17} {'seconds':>7}"
    )
    lines = [head]
    total = {k: 0 for k in rows[0] if k != "notebook"} if rows else {}
    for row in rows:
        for k in total:
            total[k] += row[k]
        lines.append(_line(row))
    if rows:
        total["seconds"] = round(total["seconds"], 1)
        lines.append(_line({"notebook": "total", **total}))
    return "\n".join(lines)


def _line(r):
    return (
        f"{r['notebook']:<18} {r['mutants']:>7} {r['common']:>6} "
        f"{_frac(r['common_at_validate'], r['common']):>26} {_frac(r['at_validate'], r['mutants']):>15} "
        f"{_frac(r['at_grading'], r['mutants']):>22} {_frac(r['words_ok'], r['at_grading']):>11} "
        f"{_frac(r['passing_ok'], r['passing']):>17} {r['seconds']:>7}"
    )


def _frac(a, b):
    return f"{a}/{b} ({100 * a / b:.0f}%)" if b else "-"


def describe(o: Outcome) -> str:
    flags = [
        "common" if o.common else "rare",
        "Validate FAILS" if o.visible_failed else "Validate passes",
        "grading LOSES" if o.graded_lost else "grading FULL",
    ]
    if o.taught:
        flags.append(f"ungraded check {o.taught} " + ("FAILS" if o.taught_failed else "passes"))
    if o.kind == "mutant" and o.graded_lost and not o.words_ok:
        if o.wrong_words:
            flags.append(f"message names the wrong mistake {o.wrong_words}")
        else:
            flags.append(f"message lacks {o.expect}")
    if o.setup_error:
        flags.append(f"code error: {o.setup_error}")
    return f"[{o.kind}] {o.exercise}: {o.name} -- {', '.join(flags)}"


def write_summary(row: dict) -> None:
    SUMMARY_DIR.mkdir(parents=True, exist_ok=True)
    (SUMMARY_DIR / f"{row['notebook']}.json").write_text(json.dumps(row))


def read_summaries(since: float) -> list[dict]:
    if not SUMMARY_DIR.is_dir():
        return []
    paths = sorted(p for p in SUMMARY_DIR.glob("*.json") if p.stat().st_mtime >= since)
    return [json.loads(p.read_text()) for p in paths]


def main(argv: list[str]) -> int:
    rows = []
    for name in argv or NAMES:
        start = time.perf_counter()
        outcomes, problems = run_notebook(name)
        for problem in problems:
            print(f"{name}: {problem}")
        for o in outcomes:
            print(f"{name} {describe(o)}")
            if "-v" in os.environ.get("MUTANTS_VERBOSE", "-v") and o.message and o.kind == "mutant":
                print("      " + o.message.replace("\n", "\n      ")[:600])
        rows.append(summary_row(name, outcomes, time.perf_counter() - start))
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


__all__ = ["Outcome", "exercises", "format_table", "run_notebook", "summary_row"]
