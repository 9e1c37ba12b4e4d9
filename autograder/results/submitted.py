"""``OUT/submitted/``: what was graded, in nbgrader's submitted layout, so formgrader counts it.

nbgrader's formgrader counts an assignment's submissions by the folders
``submitted/<student>/<assignment>/`` of its course folder (``NbGraderAPI.get_submitted_students``),
and treats a submission as autograded only when the timestamp in its ``timestamp.txt`` equals the
gradebook's (``get_autograded_students``; no file and no timestamp match too). The autograder's OUT
is that course folder (``tools.formgrade``), so each grading run writes, for every submission it
graded: the handed-in notebooks under their expected names (a stand-in found by intake or placement
becomes ``<notebook>.ipynb``, as it was graded) and the gradebook's timestamp. A regrade replaces
exactly the submissions it grades; the others' folders stay.
"""

from __future__ import annotations

import shutil
from pathlib import Path


def write_submitted(out: Path, files: dict, db_url: str, course_id: str) -> None:
    """``out/submitted/<student>/<assignment>/`` for each ``(student, assignment) -> {notebook: path}``."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url, course_id) as gb:
        for (student, assignment), notebooks in sorted(files.items()):
            folder = out / "submitted" / student / assignment
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for name, path in sorted(notebooks.items()):
                shutil.copyfile(path, folder / f"{name}.ipynb")
            try:
                stamp = gb.find_submission(assignment, student).timestamp
            except MissingEntry:
                stamp = None
            if stamp is not None:  # written as nbgrader's exchange does; parse_utc reads it back equal
                (folder / "timestamp.txt").write_text(stamp.isoformat(sep=" "))
