"""The autograder's layout: no import cycles, no private names across modules, the sandbox side apart.

The checks read the package's source (``ast``), so they see every import, also those inside
functions. Each check is first shown to fail on a small package made to break it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "autograder"
STAGES = ("receive", "isolate", "inside", "run", "results", "demo")


def modules(package: Path) -> dict[str, Path]:
    """Dotted name -> file, for every module of ``package``."""
    out = {}
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import of the package's own modules."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(a.name, None) for a in node.names if a.name in known]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in known:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.append((sub, None) if sub in known else (target, alias.name))
    return out


def graph(package: Path) -> dict[str, set[str]]:
    known = modules(package)
    return {name: {m for m, _ in imports(name, path, known)} - {name} for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle found by a depth-first search (each reported once, from its first module)."""
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(edges):
        if node not in state:
            visit(node, [])
    return found


def private_imports(package: Path) -> list[str]:
    """``from module import _name`` and ``module._name`` across modules of the package."""
    known = modules(package)
    out = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        aliases = {}
        for target, imported in imports(name, path, known):
            if imported and imported.startswith("_") and not imported.startswith("__"):
                out.append(f"{name} imports {target}.{imported}")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    aliases[alias.asname or alias.name] = alias.name
        imported_modules = {
            local
            for local, real in aliases.items()
            if any(m.endswith("." + real) or m == real for m in known) and not local.startswith("_")
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in imported_modules
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                out.append(f"{name} uses {node.value.id}.{node.attr}")
    return sorted(set(out))


def upward_from_inside(package: Path) -> list[str]:
    """Imports from ``<package>.inside`` of any of the package's modules outside ``inside``."""
    top = package.name
    return sorted(
        f"{a} imports {b}"
        for a, targets in graph(package).items()
        if a.startswith(f"{top}.inside.")
        for b in targets
        if not b.startswith(f"{top}.inside")
    )


def stage_cycles(package: Path) -> list[list[str]]:
    """Cycles between the stage folders themselves (a module-level cycle is not needed for one)."""

    def stage(module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 2 else "(top)"

    edges: dict[str, set[str]] = {}
    for a, targets in graph(package).items():
        for b in targets:
            if stage(a) != stage(b) and "(top)" not in (stage(a), stage(b)):
                edges.setdefault(stage(a), set()).add(stage(b))
    return cycles(edges)


# ---- the checks, each first shown to catch a broken package ------------------------------------------


def write(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)
    return folder


def broken_package(tmp_path: Path) -> Path:
    return write(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "grade.py": "from .run import local\n",
            "run/__init__.py": "",
            "run/local.py": "def go():\n    from ..grade import grade_it\n",
            "results/__init__.py": "",
            "results/scoring.py": "from ..run.local import _helper\nfrom ..run import local\nlocal._hidden()\n",
            "run/uses.py": "from ..results import scoring\n",
            "inside/__init__.py": "",
            "inside/worker.py": "from . import agent\nfrom ..results.scoring import score\n",
            "inside/agent.py": "import json\n",
        },
    )


def test_the_checks_catch_a_broken_package(tmp_path):
    pkg = broken_package(tmp_path)
    assert ["pkg.grade", "pkg.run.local", "pkg.grade"] in cycles(graph(pkg))
    assert private_imports(pkg) == [
        "pkg.results.scoring imports pkg.run.local._helper",
        "pkg.results.scoring uses local._hidden",
    ]
    assert upward_from_inside(pkg) == ["pkg.inside.worker imports pkg.results.scoring"]
    assert ["results", "run", "results"] in stage_cycles(pkg)


def test_the_autograder_has_no_import_cycle():
    edges = graph(PACKAGE)
    assert len(edges) > 30 and edges["autograder.grade"]  # the walk sees the package
    assert cycles(edges) == []


def test_no_stage_folder_imports_another_that_imports_it_back():
    assert stage_cycles(PACKAGE) == []


def test_no_private_name_crosses_a_module():
    assert private_imports(PACKAGE) == []


def test_the_sandbox_side_imports_nothing_of_the_grader():
    assert {m.split(".")[1] for m in modules(PACKAGE) if m.count(".") >= 2} == set(STAGES)
    inside = [m for m in modules(PACKAGE) if m.startswith("autograder.inside.")]
    assert {"autograder.inside.worker", "autograder.inside.evaluator", "autograder.inside.plaindata"} <= set(
        inside
    )
    assert upward_from_inside(PACKAGE) == []


def test_tests_mirror_the_package():
    """Every stage folder of autograder/ has its folder of tests, and no test names a module that is gone."""
    tests = ROOT / "tests" / "autograder"
    for stage in STAGES:
        assert list((tests / stage).glob("test_*.py")), f"tests/autograder/{stage}/ has no tests"
    assert not list((ROOT / "tests").glob("test_autograder_*.py"))
