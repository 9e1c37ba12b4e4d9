"""Build the course: notebooks/*.py -> source/ (executed) -> release/ (nbgrader).

    python -m tools.build source [NN_name ...]   # jupytext + nbclient, outputs stored
    python -m tools.build release [NN_name ...]  # nbgrader generate_assignment
    python -m tools.build check                  # fail when source/ or release/ is stale, or when
                                                 # a notebook's prose states other points than its cells

notebooks/NN_name.py (jupytext percent format) is the single source of truth; source/ and release/
are generated and committed.  Cell ids are made deterministic (the nbgrader grade_id, else the cell's
position) and outputs are settled (:func:`settle_outputs`), so that rebuilding an unchanged notebook
changes nothing in git but the lines and plots that report measured times.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat

from tools import points

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
# Per-cell limit while building source/: 08_cifar10 trains on the full CIFAR-10 in one cell.
CELL_TIMEOUT = 600


def notebook_names(names: list[str] | None = None) -> list[str]:
    """The course's notebook names (``NN_name``), all of them or the ones asked for, checked."""
    available = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if not names:
        return available
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise SystemExit(f"unknown notebook(s) {unknown}; expected some of {available}")
    return list(names)


def read_notebook(name: str) -> nbformat.NotebookNode:
    """notebooks/NAME.py as an unexecuted notebook with stable cell ids and clean metadata."""
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell_id = grade_id if grade_id and grade_id not in seen else f"cell-{index:03d}"
        seen.add(cell_id)
        cell["id"] = cell_id
        cell.metadata.pop("lines_to_next_cell", None)  # jupytext's layout hint, noise in the ipynb
    nbformat.validate(nb)
    return nb


def _quiet_output_widget():
    """nbclient's stand-in for an ipywidgets Output, minus sending its outputs back to the kernel.

    nbclient sends them as a comm message on the shell channel while the cell still runs; with
    ipykernel 7 that sometimes loses the cell's execute_reply, and the build waits out the whole cell
    timeout with the kernel idle (every time on 06's learning-rate explorer, 2026-12-06; a raw
    jupyter_client run of the same cell gets its reply in 0.4 s). A build keeps no widget state (see
    settle_outputs), so the kernel's copy of the outputs is never needed.
    """
    from nbclient.output_widget import OutputWidget

    class QuietOutputWidget(OutputWidget):
        def sync_state(self) -> None:
            if hasattr(self.executor, "widget_state"):
                self.executor.widget_state[self.comm_id]["outputs"] = self.outputs

    return QuietOutputWidget


def execute(nb: nbformat.NotebookNode, cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run ``nb`` in place with a fresh python3 kernel started in ``cwd``."""
    from nbclient import NotebookClient

    old_env = os.environ.copy()
    try:
        os.environ.pop("NBGRADER_EXECUTION", None)  # the instructor version runs everything
        os.environ.update(env or {})
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            record_timing=False,
            # store_widget_state must stay True: with False, nbclient's Output-widget hook raises
            # KeyError on the first explorer (every notebook has one). The state is dropped below.
        )
        client.widget_registry["@jupyter-widgets/output"]["OutputModel"] = _quiet_output_widget()
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old_env)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXPLORER_NOTE = "(an interactive explorer: run this cell in JupyterLab to use it)"


def settle_outputs(nb: nbformat.NotebookNode) -> None:
    """Make the stored outputs the same from one build to the next, where the run allows it.

    * A displayed explorer is a widget view whose model id is random and whose state is not kept;
      JupyterLab would show "model not found" for it. It is stored as a plain note instead.
    * Consecutive prints to the same stream arrive as one output or several, depending on timing;
      they are joined (nbval compares them joined too).
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for out in cell.outputs:
            if WIDGET_VIEW in out.get("data", {}):
                out["data"] = {"text/plain": EXPLORER_NOTE}
            last = outputs[-1] if outputs else None
            if (
                out.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == out.name
            ):
                last.text += out.text
                continue
            outputs.append(out)
        cell.outputs = outputs


def build_source(name: str, out_root: Path = ROOT / "source", run: bool = True) -> Path:
    """Write ``out_root/NAME/NAME.ipynb``, executed when ``run``."""
    nb = read_notebook(name)
    folder = out_root / name
    folder.mkdir(parents=True, exist_ok=True)
    if run:
        started = time.perf_counter()
        execute(nb, folder)
        print(f"  executed {name} in {time.perf_counter() - started:.1f} s")
        # Widget state holds random model ids and a rendered copy of every explorer: it would change
        # the committed notebook on every build. Explorers need a live kernel anyway.
        nb.metadata.pop("widgets", None)
        settle_outputs(nb)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def build_release(names: list[str], course_root: Path = ROOT) -> None:
    """Run nbgrader's ``generate_assignment`` for each name inside ``course_root``.

    ``course_root`` must hold ``source/NAME/NAME.ipynb``; the gradebook it writes is nbgrader's
    working file (ignored by git).  Runs in-process through nbgrader's API so the eight notebooks
    share one start-up.
    """
    from functools import cache

    import nbgrader.api
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from tools.stubs import generate_assignment_preprocessors

    # nbgrader asks the `alembic` command for the schema head every time it opens a gradebook
    # (a subprocess, about a second each); the answer cannot change while we run.
    if not hasattr(nbgrader.api.get_alembic_version, "cache_info"):
        os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        nbgrader.api.get_alembic_version = cache(nbgrader.api.get_alembic_version)

    config = Config()
    config.CourseDirectory.root = str(course_root)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".*"]
    config.GenerateAssignment.preprocessors = generate_assignment_preprocessors()  # as nbgrader_config.py
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for name in names:
        result = api.generate_assignment(name, force=True, create=True)
        if not result["success"]:
            raise SystemExit(f"nbgrader generate_assignment {name} failed:\n{result.get('error', '')}")
        print(f"  released {name}")


def cell_signature(nb: nbformat.NotebookNode) -> list[tuple]:
    """What must match between a committed and a rebuilt notebook: types, ids, sources, metadata."""
    rows = []
    for cell in nb.cells:
        meta = {k: v for k, v in cell.metadata.items() if k not in ("execution", "collapsed", "scrolled")}
        rows.append((cell.cell_type, cell.get("id"), cell.source, repr(sorted(meta.items()))))
    return rows


def stale(names: list[str] | None = None) -> list[str]:
    """Rebuild (without executing) into a temporary course and list what differs from the committed one."""
    problems = []
    names = notebook_names(names)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_root = Path(tmp)
        for name in names:
            build_source(name, tmp_root / "source", run=False)
        build_release(names, tmp_root)
        for name in names:
            for kind in ("source", "release"):
                committed = ROOT / kind / name / f"{name}.ipynb"
                rebuilt = tmp_root / kind / name / f"{name}.ipynb"
                if not committed.exists():
                    problems.append(f"{committed.relative_to(ROOT)} is missing: run make {kind}")
                    continue
                old = cell_signature(nbformat.read(committed, as_version=4))
                new = cell_signature(nbformat.read(rebuilt, as_version=4))
                if old != new:
                    where = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), None)
                    detail = (
                        f"first difference at cell {where}" if where is not None else "cell count differs"
                    )
                    problems.append(
                        f"{committed.relative_to(ROOT)} is stale ({detail}): run make source release"
                    )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["source", "release", "check"])
    parser.add_argument("names", nargs="*", help="notebook names such as 04_losses (default: all)")
    args = parser.parse_args(argv)
    names = notebook_names(args.names)
    if args.command in ("source", "check"):  # at once, before anything runs or rebuilds
        wrong = [problem for name in names for problem in points.problems(read_notebook(name), name)]
        if wrong:
            print("\n".join(wrong), file=sys.stderr)
            print(
                "the points stated in the notebook's prose must be its cells' points: fix one or the other",
                file=sys.stderr,
            )
            return 1
    if args.command == "source":
        for name in names:
            build_source(name)
        # release/ is derived from source/: keep them in step.
        build_release(names)
    elif args.command == "release":
        build_release(names)
    else:
        problems = stale(names)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
