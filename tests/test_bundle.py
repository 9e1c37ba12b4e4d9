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
    assert f"{bundle.TOP}/constraints.txt" in members  # the tested versions, referenced by requirements.txt
    assert any(m.startswith(f"{bundle.TOP}/data/cifar-10-sample/") for m in members)
    assert f"{bundle.TOP}/helpers/testing.py" in members


def test_bundle_has_no_instructor_material(full_bundle):
    out, members = full_bundle
    for member in members:
        inner = member.removeprefix(f"{bundle.TOP}/")
        assert not inner.startswith(FORBIDDEN_PARTS) and "gradebook" not in inner, member
    with zipfile.ZipFile(out) as zf:
        for member in members:
            text = zf.read(member).decode("utf-8", errors="replace")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
                assert marker not in text, f"{member} contains {marker}"
            if member.endswith(".ipynb"):
                # A notebook's own solutions and hidden tests. (Another notebook's may legitimately
                # appear: 04 shows `scores = X @ W` as a worked example, a line that 06 asks for.)
                name = member.split("/")[1]
                leaked = [line for line in secret_lines(name) if line in text]
                assert not leaked, f"{member} leaks solution/hidden lines: {leaked[:3]}"


def test_bundle_readme_has_two_commands_and_the_students_guide(full_bundle):
    out, _ = full_bundle
    with zipfile.ZipFile(out) as zf:
        readme = zf.read(f"{bundle.TOP}/README.md").decode()
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2 and block[1].endswith("jupyter lab")
    assert "Validate" in readme and "submit" in readme.lower()


def modules_of(members: list[str]) -> set[str]:
    return {m.rsplit("/", 1)[1] for m in members if "/helpers/" in m}


def test_partial_release_holds_only_what_that_point_needs(tmp_path):
    members = bundle.build_bundle(tmp_path / "b.zip", upto="04")
    notebooks = sorted(m.split("/")[1] for m in members if m.endswith(".ipynb"))
    assert notebooks == NAMES[:4]
    modules = modules_of(members)
    # gradient checking (06), autograd (07), models and training (07/08) are later notebooks' matter
    for later in ("gradients.py", "graph.py", "models.py", "train.py"):
        assert later not in modules, modules
    assert modules < modules_of(bundle.build_bundle(tmp_path / "c.zip"))
    first = bundle.build_bundle(tmp_path / "d.zip", upto="01_architecture")
    assert modules_of(first) == {
        "__init__.py",
        "figure_style.py",
        "network_figures.py",
        "testing.py",
        "widgets.py",
    }
    assert not [m for m in first if "cifar-10-sample" in m], "no data before a notebook loads data"


def test_imports_are_read_from_import_statements_only():
    cell = (
        "%matplotlib inline\nfrom helpers import figure_style, testing as t\nimport helpers.losses\n"
        "testing.check_own_work(f, forbidden=('helpers.activations',))  # helpers.graph\n!ls"
    )
    assert bundle.imported_helpers(cell) == {"figure_style", "testing", "losses"}


def test_a_figures_module_ships_what_it_imports_and_nothing_of_other_notebooks():
    assert bundle.helpers_closure({"network_figures"}) == {"network_figures", "figure_style", "widgets"}
    assert bundle.helpers_closure({"backprop_figures"}) == {"backprop_figures", "graph", "widgets"}
    assert bundle.helpers_closure({"activation_figures"}) == {
        "activation_figures",
        "activations",
        "figure_style",
        "widgets",
    }


def test_upto_an_unknown_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="expected a released notebook"):
        bundle.build_bundle(tmp_path / "x.zip", upto="42")


def test_bundle_is_reproducible(tmp_path):
    bundle.build_bundle(tmp_path / "a.zip")
    bundle.build_bundle(tmp_path / "b.zip")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


# Runs every release notebook under a folder, errors kept; prints {notebook: [[cell, ename, evalue]]}.
# A NameError for a name that only an earlier failed cell defines (the result of an unanswered
# exercise used further down) counts as the missing answer, not as a separate failure.
RUN_ALL = r"""
import ast, json, re, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient


def assigned(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


report = {}
for path in sorted(Path(sys.argv[1]).glob("[0-9][0-9]_*/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors, unset = [], set()  # unset: names a failed cell would have defined
    for i, cell in enumerate(nb.cells):
        failed = False
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                failed = True
                missing = re.match(r"name '(\w+)' is not defined", out.evalue)
                if out.ename == "NameError" and missing and missing.group(1) in unset:
                    errors.append([i, "NotImplementedError", f"(follows) {out.evalue[:200]}"])
                else:
                    errors.append([i, out.ename, out.evalue[:200]])
            elif out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                errors.append([i, "stderr", out.text[:200]])
        if failed:
            unset |= assigned(cell.source)
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
    report = run_release_notebooks(venv / "bin" / "python", course, tmp_path)
    assert_only_missing_answers(report)
    assert sorted(report) == NAMES


def student_env(tmp_path: Path, python: Path) -> dict[str, str]:
    """A student's shell: no course variables, Jupyter/IPython/matplotlib state of their own."""
    drop = ("NN_BASICS_CIFAR10", "NBGRADER_EXECUTION", "PYTHONPATH", "MPLBACKEND", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("JUPYTER")}
    home = tmp_path / "home"
    env.update(
        # No full CIFAR-10 (08 falls back to the shipped sample) and no attempt to download it.
        NN_BASICS_CIFAR10=str(home / "no-full-cifar10" / "cifar-10-python.tar.gz"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_DATA_DIR=str(home / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        PATH=f"{python.parent}{os.pathsep}{os.environ['PATH']}",
    )
    return env


def run_release_notebooks(python: Path, course: Path, tmp_path: Path, **extra_env) -> dict:
    env = student_env(tmp_path, python) | extra_env
    run = subprocess.run(
        [str(python), "-c", RUN_ALL, str(course)],
        cwd=tmp_path,  # not the project: only the bundle's helpers may be importable
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def assert_only_missing_answers(report: dict) -> None:
    unexpected = {
        name: [e for e in errors if e[1] != "NotImplementedError"] for name, errors in report.items()
    }
    unexpected = {k: v for k, v in unexpected.items() if v}
    assert not unexpected, f"release notebooks fail for other reasons than a missing answer: {unexpected}"
    assert all(report.values()), "every release notebook has at least one answer to write"


@pytest.mark.slow
def test_partial_bundle_runs_with_only_its_own_helpers(tmp_path):
    """Released up to 04, the notebooks run with the helpers shipped so far and nothing else."""
    out = tmp_path / "partial.zip"
    bundle.build_bundle(out, upto="04")
    course = unpack(out, tmp_path)
    python = Path(sys.executable)  # the course's packages; helpers comes from the bundle (PYTHONPATH)
    where = subprocess.run(
        [str(python), "-c", "import helpers; print(helpers.__file__)"],
        cwd=tmp_path,
        env=student_env(tmp_path, python) | {"PYTHONPATH": str(course)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip() == str(course / "helpers" / "__init__.py")
    report = run_release_notebooks(python, course, tmp_path, PYTHONPATH=str(course))
    assert_only_missing_answers(report)
    assert sorted(report) == NAMES[:4]
