"""Write the student bundle: dist/nn-basics-student.zip.

    python -m tools.bundle [--upto 04] [--solved 03] [--out dist/nn-basics-student.zip]

The bundle holds what a student needs and nothing an instructor keeps: the release notebooks (up to
``--upto``, for courses released one notebook at a time), the helpers modules those notebooks import
(followed transitively through helpers' own imports), the small CIFAR-10 sample once a notebook
loads data, a pinned requirements file (with the tested versions of everything as constraints),
tools/student/install.py (Python check, .venv, packages, nbgrader's instructor tools off) and
tools/student/nbgrader_config.py (for `nbgrader validate`), tools/student/submit.py (the visible
checks, then ``submit/<notebook>.zip`` in the autograder's layout), and a short README whose two
commands set up and open the course and whose third hands a notebook in. helpers/__init__.py's module table names only the modules shipped.
Never included: source/, notebooks/ (the instructor's versions), tests, the autograder, gradebooks.

The library holds the answers of many exercises (marked ``@answer``, see helpers/exercise.py).
Only the answers of the notebooks up to ``--solved`` (those past their deadline) ship; every other
marked function ships as a stub that raises (tools/strip.py).  A bundle in which a notebook would
need a stubbed answer is refused, with the ``--solved`` that would allow it.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import zipfile
from pathlib import Path

import nbformat

from tools import strip

ROOT = Path(__file__).resolve().parents[1]
TOP = "nn-basics-student"
# What a student's environment needs: the course's runtime, nbgrader for the Validate button.
STUDENT_PACKAGES = ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "nbgrader", "tqdm")

STUDENT_README = """\
# nn-basics: student version

Notebooks on the basics of neural networks{scope}. You need **Python 3.11 or newer** (check with
`python3 --version`; Ubuntu 22.04's python3 is 3.10, too old: install python3.11) and a browser.

## Set up and open the course (two commands)

```bash
python3 install.py
.venv/bin/jupyter lab
```

(On Windows: `py install.py`, then `.venv\\Scripts\\jupyter lab`.) `install.py` checks your Python
version first, then creates `.venv/` in this folder and installs the course's packages into it
(about 120 MB to download, about 500 MB on disk, a few minutes; pip shows its progress). The second
command opens JupyterLab in your browser; Ctrl+C in the terminal stops it. (By hand:
`python3 -m venv .venv && .venv/bin/pip install -r requirements.txt` installs the same packages, but
keeps nbgrader's instructor tools in JupyterLab, which `install.py` turns off.)

## Work

- Open the notebooks in order, starting with `{first}/{first}.ipynb`. Run the cells from the top.
  Run All stops at the first exercise you have not done yet ("Exercise neuron is not written yet").
- Write your code where it says `# YOUR CODE HERE` (in place of the `raise NotImplementedError(...)`
  line) and your written answers where it says `YOUR ANSWER HERE` (double-click the cell).
- Test cells check your work and tell you what was expected, what came and the likely mistake.
  Hidden tests check more when your work is graded, so try your functions on your own examples too.
- Exercises ask you to implement things yourself with NumPy: calling the course library (`helpers`)
  for an exercise earns no credit for it. Do not delete or edit the test cells.

## Validate and submit

- Click **Validate** in the notebook toolbar: it saves the notebook and runs it from a fresh start the
  way the grader will. From a terminal in this folder (the same check; `nbgrader_config.py` here sets
  it up): `.venv/bin/nbgrader validate {first}/{first}.ipynb`.
- **Hand in** with one command, from a terminal in this folder (save the notebook first):

  ```bash
  python3 submit.py {first}
  ```

  (On Windows: `py submit.py {first}`; the number alone, `python3 submit.py {first_number}`, works too.) The
  first time it asks for your student id, exactly as your instructor gave it, and keeps it in
  `student-id.txt` (`--student ID` gives or changes it). It runs the notebook from a fresh start as
  the grader does (at most 10 minutes), then says in plain words which visible checks pass and which
  fail with their message, which exercises are not written yet and which written answers are empty,
  and writes `submit/{first}.zip`. Hand in that zip file as your instructor asks (for example, upload
  it to the course's page). It holds your notebook in the folders the grader expects, so nothing
  gets lost or renamed on the way. You may hand in unfinished work; run the command again after
  any change, and hand in the new zip.

## More notebooks later

A newer zip from your instructor holds the notebooks released since. Unpack it over this folder
without overwriting your own notebooks, then update the packages (from the folder holding the zip):

```bash
unzip -o nn-basics-student.zip -x '*.ipynb'
unzip -n nn-basics-student.zip
cd nn-basics-student && python3 install.py
```
{data}"""
DATA_NOTE = """
The folder `data/cifar-10-sample/` holds a small real sample of CIFAR-10 (Krizhevsky, 2009). The
notebooks that need the full data set say how to get it.
"""


def notebook_names(upto: str | None) -> list[str]:
    names = sorted(p.name for p in (ROOT / "release").iterdir() if re.match(r"\d\d_", p.name))
    if upto is None:
        return names
    chosen = [n for n in names if n[:2] <= upto[:2]]
    if not chosen or not any(n.startswith(upto[:2]) for n in names):
        raise SystemExit(f"--upto {upto!r}: expected a released notebook number or name, one of {names}")
    return chosen


IMPORT_LINE = re.compile(
    r"^\s*(?:from\s+helpers(?:\.(\w+))?\s+import\s+([\w, ()]+)|import\s+helpers\.(\w+))", re.M
)


def _parse(code: str) -> ast.AST | None:
    """``code`` as an AST; notebook cells may hold IPython syntax (magics, ``!cmd``), translated first."""
    try:
        return ast.parse(code)
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(code))
    except (ImportError, SyntaxError):
        return None


def imported_helpers(code: str) -> set[str]:
    """helpers submodules that ``code`` imports (``import helpers.x``, ``from helpers import x``, ...).

    Only import statements count (a module named in a string or comment is not shipped for it).
    """
    tree = _parse(code)
    if tree is None:  # not Python even after IPython's translation: read the import lines
        found = set()
        for sub, names, plain in IMPORT_LINE.findall(code):
            found |= {sub or plain} if (sub or plain) else set(re.findall(r"\w+", names))
        return found
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("helpers.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 1:  # relative import inside helpers
                module = f"helpers.{module}" if module else "helpers"
            if module == "helpers":
                found |= {a.name for a in node.names}
            elif module.startswith("helpers."):
                found.add(module.split(".")[1])
    return found


def helpers_closure(modules: set[str]) -> set[str]:
    """``modules`` plus every helpers module they import, transitively.

    Each helpers module is about one concept (its figures included), so a module is shipped exactly
    when a released notebook needs it: 07's ``backprop_figures`` importing ``helpers.graph`` does not
    ship graph with 01-04.
    """
    pending, done = set(modules), set()
    while pending:
        name = pending.pop()
        path = ROOT / "helpers" / f"{name}.py"
        if name in done or not path.exists():
            continue
        done.add(name)
        pending |= imported_helpers(path.read_text()) - done
    return done


def shipped_init(modules: set[str]) -> str:
    """helpers/__init__.py whose docstring's module table names only the ``modules`` shipped."""
    kept = []
    for line in (ROOT / "helpers" / "__init__.py").read_text().splitlines(keepends=True):
        row = re.match(r"^``(\w+)``\s", line)  # a table row: ``module``  notebook: what it holds
        if row is None or row.group(1) in modules:
            kept.append(line)
    return "".join(kept)


def student_requirements() -> str:
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[name.lower()] = version
    pins = "\n".join(f"{p}=={lock[p]}" for p in STUDENT_PACKAGES)
    return (
        "# The course's runtime at the versions it was tested with (constraints.txt pins the rest);\n"
        f"# `-e .` makes the helpers package importable.\n-c constraints.txt\n{pins}\n-e .\n"
    )


def student_constraints() -> str:
    """requirements.lock as pip constraints: every package a student installs gets its tested version."""
    pins = [ln for ln in (ROOT / "requirements.lock").read_text().splitlines() if "==" in ln]
    return "# Tested versions of every package (pip constraints: nothing here is installed by itself).\n" + (
        "\n".join(pins) + "\n"
    )


def student_pyproject() -> str:
    return (
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "nn-basics-student"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n'
        '[tool.setuptools.packages.find]\ninclude = ["helpers*"]\n'
    )


def solved_names(names: list[str], solved: str | None) -> list[str]:
    """The notebooks of ``names`` up to ``solved`` (whose library answers ship); none without it."""
    if solved is None:
        return []
    chosen = [n for n in names if n[:2] <= solved[:2]]
    if not any(n.startswith(solved[:2]) for n in names):
        raise SystemExit(f"--solved {solved!r}: expected a notebook of this bundle, one of {names}")
    return chosen


def notebook_code(name: str) -> str:
    """The code cells of a release notebook as one Python text (IPython syntax translated)."""
    nb = nbformat.read(ROOT / "release" / name / f"{name}.ipynb", as_version=4)
    trees = [_parse(c.source) for c in nb.cells if c.cell_type == "code"]
    return "\n".join(ast.unparse(t) for t in trees if t is not None)


def notebook_needs(names: list[str]) -> dict[str, list[strip.Marked]]:
    """For each notebook of ``names``: the marked library answers its code uses (tools/strip.py)."""
    graph, marks = strip.library_graph(), strip.all_marks()
    return {n: list(strip.needed_answers(notebook_code(n), graph, marks).values()) for n in names}


def stubbed_needs(needs: dict[str, list[strip.Marked]], solved: list[str]) -> dict[str, list[strip.Marked]]:
    """The needs that a bundle releasing the answers of ``solved`` only would ship as stubs."""
    problems = {name: [m for m in used if not m.notebooks <= set(solved)] for name, used in needs.items()}
    return {name: stubbed for name, stubbed in problems.items() if stubbed}


def check_needs(names: list[str], solved: list[str]) -> None:
    """Refuse a bundle whose notebooks use library answers that it ships as stubs (SystemExit)."""
    needs = notebook_needs(names)
    problems = stubbed_needs(needs, solved)
    if not problems:
        return
    lines = []
    for name, stubbed in problems.items():
        owners = sorted(set().union(*(m.notebooks for m in stubbed)) - set(solved))
        lines.append(
            f"  {name} uses the library's answers of {', '.join(owners)}: "
            + ", ".join(sorted(m.name for m in stubbed))
        )
    allow = [s for i, s in enumerate(names) if i >= len(solved) and not stubbed_needs(needs, names[: i + 1])]
    hint = (
        f"SOLVED={allow[0][:2]} (ships the answers of {names[0]} to {allow[0]}) would allow it"
        if allow
        else f"no SOLVED up to {names[-1]} allows it: a notebook must not use a later notebook's answers"
    )
    raise SystemExit(
        "refusing to build a bundle whose notebooks need answers that it ships as stubs:\n"
        + "\n".join(lines)
        + f"\n{hint}."
    )


def build_bundle(out: Path, upto: str | None = None, solved: str | None = None) -> list[str]:
    """Write the zip at ``out``; return the archive's member names.

    The library answers of the notebooks up to ``solved`` ship; every other marked answer is a stub.
    """
    names = notebook_names(upto)
    done = solved_names(names, solved)
    check_needs(names, done)
    imports: set[str] = set()
    for name in names:
        nb = nbformat.read(ROOT / "release" / name / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                imports |= imported_helpers(cell.source)
    modules = helpers_closure(imports) | {"__init__"}
    open_notebooks = [n for n in notebook_names(None) if n not in done]
    scope = "" if upto is None else f" (released so far: {names[0]} to {names[-1]})"
    files: dict[str, bytes | Path] = {
        "README.md": STUDENT_README.format(
            scope=scope,
            first=names[0],
            first_number=names[0][:2],
            data=DATA_NOTE if "data" in modules else "",
        ).encode(),
        "requirements.txt": student_requirements().encode(),
        "constraints.txt": student_constraints().encode(),
        "pyproject.toml": student_pyproject().encode(),
        # Python check, .venv, packages, instructor tools off; and `nbgrader validate` settings.
        "install.py": ROOT / "tools" / "student" / "install.py",
        "nbgrader_config.py": ROOT / "tools" / "student" / "nbgrader_config.py",
        # runs the visible checks, writes submit/<notebook>.zip in the autograder's layout
        "submit.py": ROOT / "tools" / "student" / "submit.py",
    }
    for name in names:  # the notebook and anything nbgrader released beside it
        for path in sorted((ROOT / "release" / name).rglob("*")):
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in path.parts):
                files[path.relative_to(ROOT / "release").as_posix()] = path
    for module in sorted(modules):  # the library with stubs in place of every open notebook's answers
        text, _ = strip.strip_source((ROOT / "helpers" / f"{module}.py").read_text(), module, open_notebooks)
        files[f"helpers/{module}.py"] = text.encode()
    files["helpers/__init__.py"] = shipped_init(modules).encode()
    if "data" in modules:  # the CIFAR-10 sample only once a released notebook loads data
        sample = ROOT / "data" / "cifar-10-sample"
        for path in sorted(sample.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"data/{path.relative_to(ROOT / 'data').as_posix()}"] = path
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, content in sorted(files.items()):
            data = content.read_bytes() if isinstance(content, Path) else content
            info = zipfile.ZipInfo(f"{TOP}/{arcname}", date_time=(2026, 1, 1, 0, 0, 0))  # reproducible zip
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    tmp.replace(out)
    return [f"{TOP}/{a}" for a in sorted(files)]


def answers_note(names: list[str], solved: list[str]) -> str:
    """One line saying which notebooks' library answers a bundle holds."""
    stubbed = [n for n in names if n not in solved]
    held = f"{solved[0]} to {solved[-1]}" if len(solved) > 1 else (solved[0] if solved else "none")
    return f"library answers held: {held}; stubs for {', '.join(stubbed) or 'none'}" + (
        " (and every later notebook)" if names[-1] != notebook_names(None)[-1] else ""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--upto", help="last notebook released, e.g. 04 or 04_losses (default: all)")
    parser.add_argument(
        "--solved",
        help="last notebook past its deadline, e.g. 03: the library's answers up to it ship (default: none)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / "nn-basics-student.zip")
    args = parser.parse_args(argv)
    members = build_bundle(args.out, args.upto, args.solved)
    notebooks = [m for m in members if m.endswith(".ipynb")]
    helpers = [m.rsplit("/", 1)[1] for m in members if "/helpers/" in m]
    print(
        f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {len(notebooks)} notebooks, helpers {helpers}"
    )
    print(answers_note(notebook_names(args.upto), solved_names(notebook_names(args.upto), args.solved)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
