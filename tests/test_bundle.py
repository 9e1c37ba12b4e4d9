"""The student bundle: what students get, and that it works on its own in a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.nbtools import NAMES, secret_lines
from tools import bundle

FORBIDDEN_PARTS = (
    "source/",
    "notebooks/",
    "tests/",
    "autograder/",
    "gradebook",
    "tools/",
    ".ci/",
    "submitted/",
)


def unpack(zip_path: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)
    return dest / bundle.TOP


@pytest.fixture(scope="module")
def full_bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "nn-basics-student.zip"
    members = bundle.build_bundle(out)
    return out, members


def test_bundle_holds_the_eight_release_notebooks_sample_and_readme(full_bundle):
    _, members = full_bundle
    notebooks = sorted(m for m in members if m.endswith(".ipynb"))
    assert notebooks == [f"{bundle.TOP}/{n}/{n}.ipynb" for n in NAMES]
    assert f"{bundle.TOP}/README.md" in members and f"{bundle.TOP}/requirements.txt" in members
    assert any(m.startswith(f"{bundle.TOP}/data/cifar-10-sample/") for m in members)
    assert f"{bundle.TOP}/helpers/testing.py" in members


def test_bundle_has_no_instructor_material(full_bundle):
    out, members = full_bundle
    for member in members:
        inner = member.removeprefix(f"{bundle.TOP}/")
        assert not inner.startswith(FORBIDDEN_PARTS) and "gradebook" not in inner, member
    secrets = [line for name in NAMES for line in secret_lines(name)]
    with zipfile.ZipFile(out) as zf:
        for member in members:
            text = zf.read(member).decode("utf-8", errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                assert marker not in text, f"{member} contains {marker}"
            if member.endswith(".ipynb"):
                leaked = [s for s in secrets if s in text]
                assert not leaked, f"{member} leaks solution/hidden lines: {leaked[:3]}"


def test_bundle_readme_has_two_commands_and_the_students_guide(full_bundle):
    out, _ = full_bundle
    with zipfile.ZipFile(out) as zf:
        readme = zf.read(f"{bundle.TOP}/README.md").decode()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2 and block[1].endswith("jupyter lab")
    assert "Validate" in readme and "submit" in readme.lower()


def test_partial_release_holds_only_what_that_point_needs(tmp_path):
    members = bundle.build_bundle(tmp_path / "b.zip", upto="04")
    notebooks = sorted(m.split("/")[1] for m in members if m.endswith(".ipynb"))
    assert notebooks == NAMES[:4]
    modules = {m.rsplit("/", 1)[1] for m in members if "/helpers/" in m}
    assert "train.py" not in modules and "models.py" not in modules, modules
    full = {m.rsplit("/", 1)[1] for m in bundle.build_bundle(tmp_path / "c.zip") if "/helpers/" in m}
    assert modules < full


def test_upto_an_unknown_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="expected a released notebook"):
        bundle.build_bundle(tmp_path / "x.zip", upto="42")


def test_bundle_is_reproducible(tmp_path):
    bundle.build_bundle(tmp_path / "a.zip")
    bundle.build_bundle(tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


RUN_ALL = r"""
import json, sys, os
from pathlib import Path
import nbformat
from nbclient import NotebookClient
report = {}
for path in sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append([i, out.ename, out.evalue[:200]])
            elif out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                errors.append([i, "stderr", out.text[:200]])
    report[path.stem] = errors
print(json.dumps(report))
"""


@pytest.mark.slow
def test_bundle_runs_in_a_clean_virtual_environment(full_bundle, tmp_path):
    out, _ = full_bundle
    course = unpack(out, tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            "requirements.txt",
        ],
        cwd=course,
        capture_output=True,
        text=True,
    )
    assert pip.returncode == 0, pip.stderr[-3000:]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("NN_BASICS_CIFAR10", "NBGRADER_EXECUTION", "PYTHONPATH")
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    run = subprocess.run(
        [str(venv / "bin" / "python"), "-c", RUN_ALL, str(course)],
        cwd=tmp_path,  # not the project: only the bundle's helpers may be importable
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert sorted(report) == NAMES
    unexpected = {
        name: [e for e in errors if e[1] != "NotImplementedError"] for name, errors in report.items()
    }
    unexpected = {k: v for k, v in unexpected.items() if v}
    assert not unexpected, f"release notebooks fail for other reasons than a missing answer: {unexpected}"
    assert all(report[name] for name in NAMES), "every release notebook has at least one answer to write"
