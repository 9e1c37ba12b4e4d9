"""The student bundle: what students get, and that it works on its own in a clean environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.nbtools import NAMES, cells_by_id, read, secret_lines, source_path
from tests.test_strip import CALL_ALL, body_lines
from tools import bundle, strip

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
    members = bundle.build_bundle(out, solved="07")  # every notebook, 08's answers stubbed
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
    members = bundle.build_bundle(tmp_path / "b.zip", upto="04", solved="03")
    notebooks = sorted(m.split("/")[1] for m in members if m.endswith(".ipynb"))
    assert notebooks == NAMES[:4]
    modules = modules_of(members)
    # gradient checking (06), autograd (07), models and training (07/08) are later notebooks' matter
    for later in ("gradients.py", "graph.py", "models.py", "train.py"):
        assert later not in modules, modules
    assert modules < modules_of(bundle.build_bundle(tmp_path / "c.zip", solved="07"))
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
    # graph carries @answer marks, so helpers.exercise comes with it; widgets draws with figure_style
    assert bundle.helpers_closure({"backprop_figures"}) == {
        "backprop_figures",
        "graph",
        "exercise",
        "widgets",
        "figure_style",
    }
    # the activations are the student's (passed in), not the library's answers
    assert bundle.helpers_closure({"activation_figures"}) == {"activation_figures", "figure_style", "widgets"}


def test_upto_an_unknown_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="expected a released notebook"):
        bundle.build_bundle(tmp_path / "x.zip", upto="42")


def test_bundle_is_reproducible(tmp_path):
    bundle.build_bundle(tmp_path / "a.zip", upto="05", solved="04")
    bundle.build_bundle(tmp_path / "b.zip", upto="05", solved="04")
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
    bundle.build_bundle(out, upto="04", solved="03")
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


# --- answers: what ships real, what ships as a stub ---------------------------------------------------


def shipped_modules(zip_path: Path) -> dict[str, str]:
    with zipfile.ZipFile(zip_path) as zf:
        return {
            Path(m).stem: zf.read(m).decode()
            for m in zf.namelist()
            if m.startswith(f"{bundle.TOP}/helpers/") and m.endswith(".py")
        }


@pytest.mark.parametrize(("upto", "solved"), [("04", "03"), ("08", "07"), ("03", None)])
def test_no_answer_of_an_open_notebook_is_in_the_zip(tmp_path, upto, solved):
    """By source text: every marked function of a notebook after SOLVED ships without its body."""
    out = tmp_path / "b.zip"
    bundle.build_bundle(out, upto=upto, solved=solved)
    modules = shipped_modules(out)
    done = bundle.solved_names(bundle.notebook_names(upto), solved)
    checked = 0
    for m in strip.all_marks():
        if m.module not in modules:
            continue
        original = (bundle.ROOT / "helpers" / f"{m.module}.py").read_text()
        lines = [ln for ln in body_lines(m, original) if original.count(ln) == 1 and len(ln) > 12]
        present = [ln for ln in lines if ln in modules[m.module]]
        if m.notebooks <= set(done):
            assert present == lines, f"{m.name} (answers of solved {sorted(m.notebooks)}) should ship whole"
        else:
            assert not present, f"{m.name} ships lines of its answer: {present}"
            assert "raise NotImplementedError(" in modules[m.module]
            checked += 1
    assert checked, "the bundle ships no marked function of an open notebook: the test checks nothing"


def test_stubs_in_the_zip_raise_and_solved_answers_work(tmp_path):
    """By behaviour: the shipped helpers' open answers raise the clear error, the solved ones compute."""
    out = tmp_path / "b.zip"
    bundle.build_bundle(out, upto="04", solved="03")
    course = unpack(out, tmp_path)
    open_marks = [
        m.name
        for m in strip.all_marks()
        if m.module in shipped_modules(out) and not m.notebooks <= set(NAMES[:3])
    ]
    assert "helpers.losses.svm_loss" in open_marks and "helpers.activations.leaky_relu" not in open_marks
    run = subprocess.run(
        [sys.executable, "-c", CALL_ALL, str(course), json.dumps(open_marks)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    marks = {m.name: m for m in strip.all_marks()}
    for name, (kind, message) in report.items():
        later = sorted(marks[name].notebooks - set(NAMES[:3]))  # 04's answers, and 07's in activations
        assert kind == "NotImplementedError" and f"released after {' and '.join(later)}" in message, message
    solved = subprocess.run(
        [
            sys.executable,
            "-c",
            "from helpers.activations import leaky_relu as f; print(f([-1.0, 2.0]).tolist())",
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(course)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert solved.stdout.strip() == "[-0.1, 2.0]", solved.stderr[-2000:]  # 02's, solved (relu is 07's too)


def test_without_solved_no_answer_ships(tmp_path, capsys):
    out = tmp_path / "b.zip"
    assert bundle.main(["--upto", "03", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "library answers held: none; stubs for 01_architecture, 02_activations, 03_argmin" in printed
    shipped = shipped_modules(out)
    marks = [m for m in strip.all_marks() if m.module in shipped]
    assert marks and all("raise NotImplementedError(" in shipped[m.module] for m in marks)
    assert "np.maximum(x, 0)" not in shipped["activations"]


def test_every_bundle_prints_which_answers_it_holds(tmp_path, capsys):
    assert bundle.main(["--upto", "04", "--solved", "03", "--out", str(tmp_path / "b.zip")]) == 0
    printed = capsys.readouterr().out
    assert (
        "library answers held: 01_architecture to 03_argmin; stubs for 04_losses (and every later notebook)"
        in printed
    )


def test_solved_must_be_a_notebook_of_the_bundle(tmp_path):
    with pytest.raises(SystemExit, match="--solved '05'"):
        bundle.build_bundle(tmp_path / "x.zip", upto="04", solved="05")


@pytest.mark.parametrize(
    ("uses", "upto", "expected"),
    [
        # 03 uses 02's leaky ReLU: solving 02 allows it (relu itself answers 07 too)
        ({"03_argmin": "from helpers import activations as lib\nlib.leaky_relu(x)"}, "04", "SOLVED=02"),
        # 02 uses its own leaky ReLU: only a bundle past 02's deadline can ship it
        ({"02_activations": "from helpers import activations as lib\nlib.leaky_relu(x)"}, "03", "SOLVED=02"),
        # 01 uses 04's softmax: no bundle up to 03 can ship it
        (
            {"01_architecture": "from helpers.losses import softmax\nsoftmax(s)"},
            "03",
            "no SOLVED up to 03_argmin",
        ),
    ],
)
def test_a_bundle_needing_a_stubbed_answer_is_refused_with_the_solved_that_allows_it(
    tmp_path, monkeypatch, uses, upto, expected
):
    monkeypatch.setattr(bundle, "notebook_code", lambda name: uses.get(name, ""))
    with pytest.raises(SystemExit, match="refusing to build") as refused:
        bundle.build_bundle(tmp_path / "x.zip", upto=upto)
    message = str(refused.value)
    name, code = next(iter(uses.items()))
    assert f"  {name} uses the library's answers of " in message and expected in message, message
    assert not (tmp_path / "x.zip").exists()


# Runs one notebook per course folder, each with that folder's helpers on PYTHONPATH (not the repo's).
RUN_EACH = r"""
import json, os, sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient

report = {}
for course, path in json.loads(sys.argv[1]):
    os.environ["PYTHONPATH"] = course  # the kernel started below inherits it
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    errors = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append([i, out.ename, out.evalue[:300]])
            elif out.output_type == "stream" and out.name == "stderr" and "Warning" in out.text:
                errors.append([i, "stderr", out.text[:300]])
    report[Path(path).stem] = errors
print(json.dumps(report))
"""


def with_solutions(name: str, release: Path) -> None:
    """Fill the release notebook at ``release`` with the instructor's answers (source/'s solution cells)."""
    nb = nbformat.read(release, as_version=4)
    answers = cells_by_id(read(source_path(name)))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            cell.source = answers[gid].source
    nbformat.write(nb, release)


@pytest.mark.slow
def test_each_notebook_runs_with_its_own_answers_stubbed_in_the_library(tmp_path):
    """Notebook N, answered correctly, runs inside the bundle UPTO=N SOLVED=N-1 with no error at all.

    In that bundle every library answer of N (and later) is a stub, so N works only if it uses the
    student's functions after each exercise and earlier notebooks' library answers, never its own.
    """
    runs = []
    for i, name in enumerate(NAMES):
        out = tmp_path / f"{name}.zip"
        bundle.build_bundle(out, upto=name, solved=NAMES[i - 1] if i else None)
        course = unpack(out, tmp_path / name)
        with_solutions(name, course / name / f"{name}.ipynb")
        runs.append([str(course), str(course / name / f"{name}.ipynb")])
    python = Path(sys.executable)
    run = subprocess.run(
        [str(python), "-c", RUN_EACH, json.dumps(runs)],
        cwd=tmp_path,
        env=student_env(tmp_path, python) | {"NBGRADER_EXECUTION": "validate"},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert sorted(report) == NAMES
    failing = {name: errors for name, errors in report.items() if errors}
    assert not failing, f"notebooks fail inside their own bundle: {failing}"
