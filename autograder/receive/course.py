"""The course as the grader sees it: the gradebook built from source/, read once into memory.

``build_gradebook(course_root, db_url, work)`` runs nbgrader's own ``GenerateAssignment`` over every
assignment in ``course_root/source`` (in a scratch course folder, so the project's release/ is never
touched). That records, in the gradebook, each nbgrader cell's source (test cells WITH their hidden
tests), checksum, points and lock state, exactly as ``nbgrader generate_assignment`` does. The result
is then read back once into plain dataclasses (:class:`CourseSpec`), so grading a whole class needs
no further gradebook reads.

Cell kinds (nbgrader metadata, schema 3):

* ``answer``   solution cell, not graded (the student's code)
* ``test``     graded, not a solution: an autograded test cell (locked)
* ``manual``   graded solution cell: a manually graded answer
* ``readonly`` locked, neither graded nor solution (prompt or setup text)
* ``task``     nbgrader task cell (graded manually)
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

CARRIED = "carried-grades.json"  # in OUT: manual grades on their way to new submissions (restructure)
HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"


@dataclass(frozen=True)
class CellSpec:
    """One nbgrader cell of a source notebook, as recorded in the gradebook."""

    grade_id: str
    kind: str  # answer | test | manual | readonly | task
    cell_type: str  # code | markdown
    source: str  # gradebook source (tests include their hidden part)
    checksum: str | None
    points: float | None
    cell_id: str | None = None  # nbformat cell id in source/ (kept by generate_assignment)

    @property
    def release_source(self) -> str:
        """The source a student receives (hidden tests removed, as ClearHiddenTests does)."""
        return strip_hidden(self.source)

    @property
    def hidden_lines(self) -> list[str]:
        """Lines of the hidden test region that the release does not show anyway (never in feedback)."""
        visible = {line.strip() for line in self.release_source.split("\n")}
        return [line for line in hidden_lines(self.source) if line not in visible]


@dataclass
class NotebookSpec:
    assignment: str
    name: str
    cells: list[CellSpec]

    @property
    def max_score(self) -> float:
        return float(sum(c.points or 0 for c in self.cells if c.kind in ("test", "manual", "task")))

    @property
    def tests(self) -> list[CellSpec]:
        return [c for c in self.cells if c.kind == "test"]

    def by_id(self) -> dict[str, CellSpec]:
        return {c.grade_id: c for c in self.cells}


@dataclass
class CourseSpec:
    db_url: str
    course_id: str
    assignments: dict[str, dict[str, NotebookSpec]] = field(default_factory=dict)
    # (student, assignment, notebook, cell) -> {"manual_score", "extra_credit", "manual_comment"}: a
    # person's grades, taken out of the gradebook while an assignment's changed cells were recorded
    # (``restructure``); the run puts them back into the new submissions (``export.save_to_gradebook``)
    carried: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the gradebook build did that the run should say

    def notebook(self, assignment: str, name: str) -> NotebookSpec | None:
        return self.assignments.get(assignment, {}).get(name)


def strip_hidden(source: str) -> str:
    """Remove ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions (nbgrader's rule)."""
    out, inside = [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def hidden_lines(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.split("\n"):
        if HIDDEN_BEGIN in line:
            inside = True
        elif HIDDEN_END in line:
            inside = False
        elif inside and line.strip():
            lines.append(line.strip())
    return lines


def cell_kind(meta: dict) -> str | None:
    """The kind of an nbgrader cell from its metadata, or None for an ordinary cell."""
    if not meta or "grade_id" not in meta:
        return None
    if meta.get("task"):
        return "task"
    grade, solution = bool(meta.get("grade")), bool(meta.get("solution"))
    if grade and solution:
        return "manual"
    if grade:
        return "test"
    if solution:
        return "answer"
    if meta.get("locked"):
        return "readonly"
    return None


def find_assignments(source_dir: Path) -> dict[str, list[str]]:
    """``{assignment: [notebook names]}`` for every ``source/<assignment>/<notebook>.ipynb``."""
    found = {}
    if not source_dir.is_dir():
        return found
    for adir in sorted(p for p in source_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        names = sorted(p.stem for p in adir.glob("*.ipynb"))
        if names:
            found[adir.name] = names
    return found


def ensure_tools_on_path() -> None:
    """Make creating a new gradebook cheap and possible.

    nbgrader's Gradebook asks the ``alembic`` command for the schema revision when it creates a new
    database (a subprocess that re-imports nbgrader: 5-10 s on a busy machine). Ask alembic's Python
    API for the same head revision in-process instead, once. If that fails, keep nbgrader's way and
    make sure the running Python's ``alembic`` script is on PATH.
    """
    import nbgrader.api

    scripts = os.path.dirname(sys.executable)
    if shutil.which("alembic") is None and scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
    if getattr(nbgrader.api.get_alembic_version, "_autograder", False):
        return
    try:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory(
            os.path.join(os.path.dirname(nbgrader.api.__file__), "alembic")
        ).get_current_head()
    except Exception:
        return
    if head:

        def get_alembic_version() -> str:
            return head

        get_alembic_version._autograder = True
        nbgrader.api.get_alembic_version = get_alembic_version


def load_course_config(course_root: Path):
    """The course's nbgrader_config.py as a traitlets Config (empty when there is none)."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = course_root / "nbgrader_config.py"
    if path.is_file():
        return PyFileConfigLoader(path.name, str(course_root)).load_config()
    return Config()


def build_gradebook(
    course_root: Path | str,
    db_url: str,
    work: Path | str,
    assignments: list[str] | None = None,
    course_id: str | None = None,
    regraded: dict[str, set[str]] | None = None,
    carry_file: Path | None = None,
) -> CourseSpec:
    """Record every assignment of ``course_root/source`` in the gradebook at ``db_url``.

    Uses nbgrader's GenerateAssignment (its SaveCells preprocessor writes the source cells,
    checksums and points), with the course's nbgrader_config.py, in the scratch folder ``work``.
    Returns the course read back from the gradebook. ``regraded``: per assignment, the students
    whose hand-ins the caller grades now (``restructure``; none when not given). ``carry_file``:
    where the grades taken out are kept until the caller has put them back (``load_carried``), so
    an interrupted run loses none of them.
    """
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory

    ensure_tools_on_path()
    course_root, work = Path(course_root).resolve(), Path(work)
    source_dir = course_root / "source"
    found = find_assignments(source_dir)
    if assignments is not None:
        found = {a: n for a, n in found.items() if a in assignments}
    if not found:
        raise RuntimeError(f"no assignments found in {source_dir} (expected source/<assignment>/<nb>.ipynb)")

    scratch = work / "course"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    (scratch / "source").symlink_to(source_dir, target_is_directory=True)

    config = load_course_config(course_root)
    course_id = course_id or config.CourseDirectory.get("course_id") or "default_course"
    config.CourseDirectory.root = str(scratch)
    config.CourseDirectory.db_url = db_url
    config.CourseDirectory.course_id = course_id
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.notebook_id = "*"
    config.GenerateAssignment.create_assignment = True

    quiet = logging.getLogger("autograder.nbgrader")
    quiet.setLevel(logging.ERROR)
    carried, notes = load_carried(carry_file), []
    for assignment in found:
        paths = {name: source_dir / assignment / f"{name}.ipynb" for name in found[assignment]}
        moved = restructure(
            db_url, course_id, assignment, paths, (regraded or {}).get(assignment, set()), carried, carry_file
        )
        if moved is not None:
            notes.append(moved)
        config.CourseDirectory.assignment_id = assignment
        coursedir = CourseDirectory(config=config, log=quiet)
        converter = GenerateAssignment(coursedir=coursedir, config=config, log=quiet)
        converter.force = True
        converter.start()
    spec = load_spec(db_url, course_id, source_dir, list(found))
    spec.carried, spec.notes = carried, notes
    return spec


def _recorded_cells(nb) -> dict[str, set[str]]:
    """The grade_ids nbgrader's SaveCells records, by kind (what it compares before it updates a notebook)."""
    from nbgrader import utils

    kinds: dict[str, set[str]] = {"grade": set(), "solution": set(), "task": set(), "source": set()}
    for cell in nb.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if not gid:
            continue
        grade, solution, task = utils.is_grade(cell), utils.is_solution(cell), utils.is_task(cell)
        for kind, yes in (("grade", grade), ("solution", solution), ("task", task)):
            if yes:
                kinds[kind].add(gid)
        if grade or solution or task or utils.is_locked(cell):
            kinds["source"].add(gid)
    return kinds


def load_carried(path: Path | None) -> dict:
    """The grades a gradebook build took out and no run has put back yet (``restructure``)."""
    import json

    if path is None or not Path(path).is_file():
        return {}
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    return {tuple(row["key"]): row["kept"] for row in rows}


def save_carried(path: Path | None, carried: dict) -> None:
    """Keep ``carried`` in ``path`` (``load_carried``); nothing left to carry removes the file."""
    import json

    if path is not None and not carried:
        Path(path).unlink(missing_ok=True)
    elif path is not None:
        rows = [{"key": list(key), "kept": kept} for key, kept in sorted(carried.items())]
        Path(path).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


def restructure(
    db_url: str,
    course_id: str,
    assignment: str,
    notebooks: dict,
    regraded,
    carried: dict,
    carry_file: Path | None = None,
) -> str | None:
    """Make room for an assignment whose recorded cells changed while the gradebook holds its hand-ins.

    nbgrader refuses to add or remove a cell of a notebook with submissions. When the caller grades
    every hand-in of the assignment again (``regraded``: the students it grades now), the
    submissions are taken out after their manual grades and comments are added to ``carried`` (and
    written to ``carry_file`` first), and the caller puts those back into the new submissions;
    returns a note that says so. None when nothing changed or nothing was graded yet. A caller that
    grades only some of them is stopped with what to do (GraderError): the others' grades would be
    lost.
    """
    from nbgrader.api import Gradebook, MissingEntry

    from ..errors import GraderError

    with Gradebook(db_url, course_id) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLAlchemy autoflush notes from inside nbgrader's API
        try:
            record = gb.find_assignment(assignment)
        except MissingEntry:
            return None
        changed, students = [], set()
        for notebook in record.notebooks:
            students |= {s.student.id for s in notebook.submissions}
            path = notebooks.get(notebook.name)
            if path is None or not notebook.submissions:
                continue
            new = _recorded_cells(nbformat.read(str(path), as_version=4))
            old = {
                "grade": {c.name for c in notebook.grade_cells},
                "solution": {c.name for c in notebook.solution_cells},
                "task": {c.name for c in notebook.task_cells},
                "source": {c.name for c in notebook.source_cells},
            }
            if new == old:
                continue
            added = sorted(new["source"] - old["source"])  # every recorded cell is a source cell
            removed = sorted(old["source"] - new["source"])
            parts = [f"added {', '.join(added)}"] if added else []
            parts += [f"removed {', '.join(removed)}"] if removed else []
            words = "; ".join(parts) or "changed kind: " + ", ".join(k for k in old if new[k] != old[k])
            changed.append(words if notebook.name == assignment else f"{notebook.name}: {words}")
        if not changed:
            return None
        left = sorted(students - set(regraded))
        if left:
            raise GraderError(
                f"{assignment}: its cells changed since its hand-ins were graded into this gradebook "
                f"({'; '.join(changed)}), and nbgrader cannot change an assignment that has submissions. Grade "
                f"every hand-in of {assignment} again in one run (not in this run: {', '.join(left[:10])}"
                f"{' ...' if len(left) > 10 else ''}), so that the manual grades move with them, or grade into a "
                "new --out"
            )
        kept: dict = {}
        for notebook in record.notebooks:
            for submitted in notebook.submissions:
                sid = submitted.student.id
                for grade in submitted.grades:
                    if grade.manual_score is not None or grade.extra_credit:
                        kept.setdefault((sid, assignment, notebook.name, grade.name), {}).update(
                            manual_score=grade.manual_score, extra_credit=grade.extra_credit
                        )
                for comment in submitted.comments:
                    if comment.manual_comment:
                        kept.setdefault((sid, assignment, notebook.name, comment.name), {})[
                            "manual_comment"
                        ] = comment.manual_comment
        carried.update(kept)
        save_carried(carry_file, carried)  # on disk before the gradebook lets go of them
        for sid in sorted(students):
            gb.remove_submission(assignment, sid)
    grades = sum(v.get("manual_score") is not None or bool(v.get("extra_credit")) for v in kept.values())
    comments = sum("manual_comment" in v for v in kept.values())
    return (
        f"{assignment}: its cells changed since the last grading ({'; '.join(changed)}): all "
        f"{len(students)} hand-ins were graded again, with {grades} manual grade(s) and {comments} comment(s) "
        "carried over to the cells that are still there"
    )


def load_spec(db_url: str, course_id: str, source_dir: Path, assignments: list[str]) -> CourseSpec:
    """Read the recorded cells back from the gradebook (one session), ordered as in source/."""
    from nbgrader.api import Gradebook, MissingEntry

    spec = CourseSpec(db_url=db_url, course_id=course_id)
    with Gradebook(db_url, course_id) as gb:
        for assignment in assignments:
            try:
                record = gb.find_assignment(assignment)
            except MissingEntry:
                continue
            spec.assignments[assignment] = {}
            for nb_record in record.notebooks:
                sources = {c.name: c for c in nb_record.source_cells}
                points = {c.name: float(c.max_score) for c in nb_record.grade_cells}
                points.update({c.name: float(c.max_score) for c in nb_record.task_cells})
                path = source_dir / assignment / f"{nb_record.name}.ipynb"
                order = _source_order(path)
                cells = []
                for grade_id, cell_id, meta in order:
                    stored = sources.get(grade_id)
                    kind = cell_kind(meta)
                    if stored is None or kind is None:
                        continue
                    cells.append(
                        CellSpec(
                            grade_id=grade_id,
                            kind=kind,
                            cell_type=stored.cell_type,
                            source=stored.source or "",
                            checksum=stored.checksum,
                            points=points.get(grade_id),
                            cell_id=cell_id,
                        )
                    )
                spec.assignments[assignment][nb_record.name] = NotebookSpec(assignment, nb_record.name, cells)
    return spec


def _source_order(path: Path) -> list[tuple[str, str | None, dict]]:
    nb = nbformat.read(os.fspath(path), as_version=4)
    out = []
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if "grade_id" in meta:
            out.append((meta["grade_id"], cell.get("id"), dict(meta)))
    return out
