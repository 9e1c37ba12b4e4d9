"""The Makefile's first-run path, on a copy of it in a temporary folder (nothing is installed).

* set-up stops with what is needed on a Python older than 3.11, before it creates .venv;
* set-up shows pip's progress (no --quiet);
* the first `make lab` records the assignments in nbgrader's gradebook (so the formgrader shows
  their points instead of eight drafts worth 0), later ones do not;
* `make formgrade` without GRADED says how to call it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nbtools import ROOT


@pytest.fixture
def course(tmp_path):
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def make(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-C", str(course), *args], capture_output=True, text=True, timeout=120)


def installed(course: Path) -> None:
    """Pretend the set-up ran: a stamp newer than pyproject.toml and requirements.lock."""
    stamp = course / ".venv" / ".installed-stamp"
    stamp.parent.mkdir()
    stamp.touch()
    later = time.time() + 10
    os.utime(stamp, (later, later))


def test_setup_on_python_310_says_what_is_needed(course):
    fake = course / "python3.10"
    fake.write_text(
        f"#!/bin/sh\nexec {sys.executable} -c "
        '"import sys; sys.version_info = (3, 10, 12, \'final\', 0); exec(sys.argv[2])" "$@"\n'
    )
    fake.chmod(0o755)
    run = make(course, "setup", f"PYTHON={fake}")
    assert run.returncode != 0
    assert f"nn-basics needs Python 3.11 or newer; {fake} is 3.10" in run.stderr
    assert not (course / ".venv").exists()


def test_setup_shows_pips_progress(course):
    run = make(course, "-n", "setup")
    install = [line for line in run.stdout.splitlines() if "pip install" in line]
    assert install and "--quiet" not in install[0] and " -q " not in install[0]
    assert "Installing the pinned packages" in run.stdout


def test_first_lab_fills_the_gradebook_once(course):
    installed(course)
    first = make(course, "-n", "lab")
    lines = first.stdout.splitlines()
    release = [i for i, line in enumerate(lines) if "-m tools.build release" in line]
    lab = [i for i, line in enumerate(lines) if "jupyter lab" in line]
    assert release and lab and release[0] < lab[0], first.stdout
    (course / "gradebook.db").touch()
    again = make(course, "-n", "lab")
    assert "tools.build release" not in again.stdout and "jupyter lab" in again.stdout


def test_formgrade_without_graded_says_how(course):
    installed(course)
    run = make(course, "formgrade")
    assert run.returncode != 0
    assert "usage: make formgrade GRADED=" in run.stderr


def test_setup_installs_the_cluster_extra(course):
    """The Dask tests run in `make test` and CI, so set-up installs the [cluster] extra with [dev]."""
    import re
    import tomllib

    run = make(course, "-n", "setup")
    install = [line for line in run.stdout.splitlines() if "pip install" in line]
    extras = re.search(r"-e '\.\[([a-z,]+)\]'", install[0])
    assert extras and {"dev", "cluster"} <= set(extras.group(1).split(",")), install[0]
    cluster = tomllib.loads((course / "pyproject.toml").read_text())["project"]["optional-dependencies"][
        "cluster"
    ]
    assert {spec.partition("==")[0] for spec in cluster} == {
        "dask",
        "distributed",
        "cryptography",
        "dask-jobqueue",
        "dask-kubernetes",
    }


def command_line(run: subprocess.CompletedProcess, program: str) -> str:
    (line,) = [line for line in run.stdout.splitlines() if program in line]
    return line


def test_lab_and_formgrade_take_the_port_the_readme_documents(course):
    """Row 9 of issue 20: `make lab PORT=8990` and `make formgrade GRADED=DIR PORT=8991` (README)."""
    installed(course)
    (course / "gradebook.db").touch()
    lab = command_line(make(course, "-n", "lab", "PORT=8990"), "jupyter lab")
    assert "--ServerApp.port=8990 --ServerApp.port_retries=0" in lab
    assert "--ServerApp.port" not in command_line(make(course, "-n", "lab"), "jupyter lab")
    formgrade = command_line(make(course, "-n", "formgrade", "GRADED=graded", "PORT=8991"), "tools.formgrade")
    assert formgrade.endswith("-m tools.formgrade graded --ServerApp.port=8991 --ServerApp.port_retries=0")
    readme = (ROOT / "README.md").read_text()
    assert "make lab PORT=8990" in readme and "make formgrade GRADED=graded PORT=8991" in readme
    assert "make formgrade GRADED=grading PORT=8991" in (ROOT / "autograder" / "README.md").read_text()


def test_the_gradebook_follows_source(course):
    """Row 10 of issue 20: a source notebook newer than gradebook.db (a rebuild, a revert) records it again."""
    installed(course)
    notebook = course / "source" / "04_losses" / "04_losses.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text("{}")
    (course / "gradebook.db").touch()
    assert "tools.build release" not in make(course, "-n", "lab").stdout
    later = time.time() + 5
    os.utime(notebook, (later, later))  # e.g. `git checkout source/` after a points change
    assert "-m tools.build release" in make(course, "-n", "lab").stdout


def test_recording_source_again_after_a_revert_restores_the_max_points(tmp_path):
    """What the gradebook.db rule runs (`tools.build release`) after row 10's change and revert: no stale 18."""
    import nbformat
    from nbgrader.api import Gradebook

    from tools import build

    name, folder = "04_losses", tmp_path / "source" / "04_losses"
    folder.mkdir(parents=True)
    original = nbformat.read(ROOT / "source" / name / f"{name}.ipynb", as_version=4)

    def recorded_max(nb) -> float:
        nbformat.write(nb, folder / f"{name}.ipynb")
        build.build_release([name], tmp_path)
        with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
            return gb.find_assignment(name).max_score

    changed = nbformat.from_dict(original)
    (cell,) = [c for c in changed.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax_tests"]
    cell.metadata["nbgrader"]["points"] = 3
    assert recorded_max(changed) == 18.0
    assert recorded_max(original) == 17.0
