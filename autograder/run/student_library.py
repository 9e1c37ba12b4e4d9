"""The ``helpers`` library the student's kernel sees: the course's, without the answers being graded.

Bound read-only over the library's own path in the student's sandbox (on a cluster, each worker
writes its own copy). Written by ``tools/strip.py``; without that tool the real library is used and
a warning says so.
"""

from __future__ import annotations

import compileall
from pathlib import Path

from ..isolate.bwrap import package_dir


def stripped_helpers(assignment: str, dest: Path) -> Path | None:
    """The ``helpers`` package for the student's kernel: the library without this assignment's answers.

    The answers of every later notebook are stubbed too (nothing of them is due when this one is
    graded, and some compute this one's exercises under another name). Written by ``tools/strip.py``
    (``write_stripped_helpers``); None when that tool is not there.
    """
    try:
        from tools.strip import all_marks, write_stripped_helpers
    except ImportError:
        return None
    later = {nb for m in all_marks() for nb in m.notebooks if nb[:2] > assignment[:2]}
    write_stripped_helpers(dest, [assignment, *sorted(later)])
    return dest / "helpers"


def student_binds(assignments, work: Path, student_helpers, log) -> dict:
    """Per assignment, the folder bound over ``helpers/`` in the student's sandbox (item 2 of issue 10)."""
    real = package_dir("helpers")
    binds, unstripped = {}, []
    for assignment in assignments if real is not None else []:
        folder = student_helpers(assignment, work / "student-helpers" / assignment)
        if folder is None:
            unstripped.append(assignment)
            continue
        compileall.compile_dir(str(folder), quiet=1)
        binds[assignment] = {Path(folder): real}
    if unstripped:
        log(
            "warning: no stripped helpers library for the student's kernel (tools/strip.py missing): "
            f"in {', '.join(unstripped)}, a student's code can still call the library's answers"
        )
    return binds
