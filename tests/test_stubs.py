"""tools/stubs.py: every release stub names its exercise, and plain nbgrader writes the same release/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.utils import is_solution

from tests.nbtools import NAMES, ROOT, release_path
from tools.stubs import message, name_stubs


def test_stub_inside_a_function_names_it():
    source = 'def relu(x):\n    """Doc."""\n    # YOUR CODE HERE\n    raise NotImplementedError()'
    assert name_stubs(source).splitlines()[-1] == f'    raise NotImplementedError("{message("relu")}")'


def test_each_stub_names_its_own_function_and_others_are_kept():
    source = "\n".join(
        [
            "def add_forward(x, y):",
            "    raise NotImplementedError()",
            "",
            "def add_backward(dout, cache):",
            "    def inner():",
            "        raise NotImplementedError()",
            "    raise NotImplementedError()",
            "raise NotImplementedError()",  # outside any function: no name to give
            "def done(x):",
            '    raise NotImplementedError("already says something")',
        ]
    )
    lines = name_stubs(source).splitlines()
    assert "Exercise add_forward is not written yet" in lines[1]
    assert "Exercise inner is not written yet" in lines[5]
    assert "Exercise add_backward is not written yet" in lines[6]
    assert lines[7] == "raise NotImplementedError()"
    assert lines[9] == '    raise NotImplementedError("already says something")'


def test_message_says_what_to_do():
    text = message("neuron")
    assert text.startswith("Exercise neuron is not written yet")
    assert "run the cell that defines neuron, then run this cell again" in text


@pytest.mark.parametrize("name", NAMES)
def test_release_has_no_bare_stub(name):
    nb = nbformat.read(release_path(name), as_version=4)
    stubs = [c for c in nb.cells if c.cell_type == "code" and is_solution(c)]
    assert stubs, f"{name}: no answer cells in the release"
    for cell in stubs:
        assert "raise NotImplementedError()" not in cell.source, f"{name}: bare stub in {cell.source[:200]}"
        assert "is not written yet" in cell.source, f"{name}: {cell.source[:200]}"


@pytest.mark.slow
def test_plain_nbgrader_generate_assignment_reproduces_release(tmp_path):
    """The course's nbgrader_config.py makes `nbgrader generate_assignment` write release/ byte for byte."""
    name = NAMES[0]
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    shutil.copytree(ROOT / "source" / name, course / "source" / name)
    shutil.copytree(ROOT / "tools", course / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "nbgrader_config.py", course)
    bin_dir = Path(sys.executable).parent  # nbgrader runs the `alembic` command: the venv must be on PATH
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(bin_dir / "nbgrader"), "generate_assignment", name],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    rebuilt = course / "release" / name / f"{name}.ipynb"
    assert rebuilt.read_bytes() == release_path(name).read_bytes()
