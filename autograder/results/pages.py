"""Each graded notebook's two files in OUT: the autograded notebook (instructor) and its feedback page.

Written as soon as the notebook is graded, so the executed notebook can be dropped from memory.
"""

from __future__ import annotations

import html
from pathlib import Path

import nbformat

from ..isolate import sanitize
from . import feedback


def write_notebook_outputs(out: Path, result, executed, spec, lateness: dict | None = None) -> None:
    """``autograded/<student>/<assignment>/<nb>.ipynb`` (if it ran) and ``feedback/.../<nb>.html``.

    ``lateness``: ``{(student, assignment): results.late.Lateness}``; a late hand-in's page shows the
    penalty and says how late it was ("handed in 2 days 3 hours late: -20%").
    """
    rel = Path(result.student) / result.assignment
    late = (lateness or {}).get((result.student, result.assignment))
    if executed is not None:
        executed = sanitize.clean_notebook(executed)  # formgrader shows it in the instructor's Jupyter
        (out / "autograded" / rel).mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(out / "autograded" / rel / f"{result.notebook}.ipynb"))
        safe = feedback.redact(executed, spec, result)
        page = feedback.render_html(safe, result, late.penalty(result.score) if late else 0.0)
        page = feedback.add_late_note(page, late.describe() if late else "")
    else:
        # a regrade replaces this notebook: an executed copy of an earlier hand-in must not stay behind
        (out / "autograded" / rel / f"{result.notebook}.ipynb").unlink(missing_ok=True)
        reasons = "".join(f"<li>{html.escape(p['detail'])}</li>" for p in result.problems)
        page = (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(result.notebook)}"
            f"</title></head><body><h1>{html.escape(result.notebook)} (Score: 0 / {result.max_score:g})"
            f"</h1><p>This notebook could not be graded:</p><ul>{reasons}</ul></body></html>"
        )
        page = feedback.finish_page(page)
    (out / "feedback" / rel).mkdir(parents=True, exist_ok=True)
    (out / "feedback" / rel / f"{result.notebook}.html").write_text(page, encoding="utf-8")
