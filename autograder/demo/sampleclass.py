"""A sample class built from a course's release/ and source/, to show (and test) the autograder.

``build_class(course_root, dest)`` writes ``dest/<student>/<assignment>/<notebook>.ipynb`` for:

* ``perfect``    the release with every answer taken from source/ (full points)
* ``partial``    the first half of the answers solved, the rest untouched
* ``untouched``  the release as handed out (0 points)
* ``tamperer``   untouched answers, and every kind of test tampering: a visible test edited to
  ``pass``, a test deleted, a test's metadata edited, a test turned into markdown, a test duplicated
  and moved above its answer (still 0 points)
* ``tidy``       the perfect answers with the same tampering (still full points: tests restored)
* ``crasher``    perfect answers, but each notebook meets one disaster after its first answer:
  ``os._exit(0)``, an infinite loop, a 30 GB allocation, a 100 MB print (cycled over notebooks)
* ``snoop``      perfect answers plus a cell that tries to read the gradebook, source/ and other
  students' work, to write outside its folder and to reach the network (all must fail)
* ``cheater``    wrong answers plus monkeypatched ``numpy.testing``/``helpers.testing``/``builtins``
  and a fake "all tests passed" print (0 points)
* ``broken``     not JSON, another assignment's notebook, and a missing notebook

perfect, partial and untouched hand in every notebook; the hostile students hand in the first two
(crasher: one notebook per disaster, broken: the first three), which keeps ``make grade-demo`` short.
The functions that transform one notebook are public, so the tests use them one by one.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat

from ..receive.course import cell_kind, find_assignments

DISASTERS = {
    "exit": "import os\nos._exit(0)",
    "loop": "while True:\n    pass",
    "memory": "import numpy as _np\n_big = _np.ones(30 * 2**30 // 8)\n_big[::4096] = 2.0",
    "print": "print('x' * 100_000_000)",
    "sysexit": "import sys\nsys.exit(3)",
}

SNOOP = r"""
import os, socket, glob
findings = []
for target in [os.environ.get('AG_SNOOP_TARGET', ''), '/work', '/root', '/etc/shadow']:
    try:
        findings.append((target, os.listdir(target) if os.path.isdir(target) else open(target).read(40)))
    except Exception as err:
        findings.append((target, type(err).__name__))
for top in ['/work', '/root', '/home', '/tmp', '/srv']:
    for pattern in ['/**/gradebook.db', '/**/source/**/*.ipynb', '/**/submitted/**/*.ipynb']:
        findings.append((top + pattern, glob.glob(top + pattern, recursive=True)[:3]))
for path in ['/work/escape.txt', '/usr/escape.txt', os.path.expanduser('~/../../escape.txt')]:
    try:
        open(path, 'w').write('x'); findings.append((path, 'WRITTEN'))
    except Exception as err:
        findings.append((path, type(err).__name__))
try:
    socket.create_connection(('pypi.org', 443), timeout=3); findings.append(('net', 'CONNECTED'))
except Exception as err:
    findings.append(('net', type(err).__name__))
print(findings)
""".strip()

CHEAT = r"""
import builtins, numpy, numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.testing.assert_array_equal = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
builtins.all = lambda *a: True
builtins.abs = lambda x: 0.0
try:
    import helpers.testing as _ht
    for _name in dir(_ht):
        if not _name.startswith('_') and callable(getattr(_ht, _name)):
            setattr(_ht, _name, lambda *a, **k: None)
except Exception:
    pass
print('All tests passed!')
""".strip()


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader") or {}


def _kind(cell) -> str | None:
    return cell_kind(_meta(cell))


def solve(release, source, fraction: float = 1.0):
    """Copy answers (and manual answers) from source into release; the first ``fraction`` of them."""
    nb = copy.deepcopy(release)
    answers = {_meta(c).get("grade_id"): c.source for c in source.cells if _kind(c) in ("answer", "manual")}
    ids = [_meta(c).get("grade_id") for c in nb.cells if _kind(c) in ("answer", "manual")]
    keep = set(ids[: round(len(ids) * fraction)])
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if _kind(cell) in ("answer", "manual") and gid in keep and gid in answers:
            cell.source = answers[gid]
    return nb


def tamper(nb):
    """Every kind of test-cell tampering, spread over the notebook's test cells."""
    nb = copy.deepcopy(nb)
    tests = [i for i, c in enumerate(nb.cells) if _kind(c) == "test"]
    actions = ["pass", "metadata", "markdown", "duplicate_up", "delete"]
    plan = {i: actions[n % len(actions)] for n, i in enumerate(tests)}
    cells = []
    for i, cell in enumerate(nb.cells):
        action = plan.get(i)
        if action == "pass":
            cell.source = "pass"
        elif action == "metadata":
            cell.metadata["nbgrader"] = {**_meta(cell), "points": 100, "grade": False, "locked": False}
        elif action == "markdown":
            cell = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.get("id"))
        elif action == "duplicate_up":
            dup = copy.deepcopy(cell)
            dup["id"] = (cell.get("id") or "x") + "-dup"
            cell.source = "pass"
            answer_at = max((j for j, c in enumerate(cells) if _kind(c) == "answer"), default=0)
            cells.insert(answer_at, dup)
        elif action == "delete":
            continue
        cells.append(cell)
    nb.cells = cells
    return nb


def add_after_first_answer(nb, code: str):
    nb = copy.deepcopy(nb)
    first = next((i for i, c in enumerate(nb.cells) if _kind(c) == "answer"), 0)
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(code))
    return nb


def cheat(release):
    """Wrong (untouched) answers replaced by stubs returning a fake value, plus monkeypatching."""
    nb = copy.deepcopy(release)
    nb.cells.insert(0, nbformat.v4.new_code_cell(CHEAT))
    return nb


def build_class(course_root: Path | str, dest: Path | str, assignments: list[str] | None = None) -> Path:
    course_root, dest = Path(course_root), Path(dest)
    found = find_assignments(course_root / "source")
    if assignments:
        found = {a: n for a, n in found.items() if a in assignments}
    missing = [a for a in found if not (course_root / "release" / a).is_dir()]
    if missing:
        raise FileNotFoundError(f"release/ lacks {', '.join(missing)}: run `make release` first")
    all_nbs = [(a, n) for a, names in found.items() for n in names]
    for k, (assignment, name) in enumerate(all_nbs):
        release = nbformat.read(str(course_root / "release" / assignment / f"{name}.ipynb"), as_version=4)
        source = nbformat.read(str(course_root / "source" / assignment / f"{name}.ipynb"), as_version=4)
        perfect = solve(release, source)
        disaster = list(DISASTERS)[k % len(DISASTERS)]
        other = all_nbs[(k + 1) % len(all_nbs)]
        variants = {"perfect": perfect, "partial": solve(release, source, 0.5), "untouched": release}
        if k < 2:  # the hostile students hand in a couple of notebooks each, to keep the demo short
            variants.update(
                tamperer=tamper(release),
                tidy=tamper(perfect),
                snoop=add_after_first_answer(perfect, SNOOP),
                cheater=cheat(release),
            )
        if k < len(DISASTERS):
            variants["crasher"] = add_after_first_answer(perfect, DISASTERS[disaster])
        for student, nb in variants.items():
            _write(dest / student / assignment / f"{name}.ipynb", nbformat.writes(nb))
        broken = dest / "broken" / assignment / f"{name}.ipynb"
        if k >= 3:
            pass
        elif k % 3 == 0:
            _write(broken, "this is not JSON {")
        elif k % 3 == 1 and other != (assignment, name):
            _write(broken, (course_root / "release" / other[0] / f"{other[1]}.ipynb").read_text())
        else:
            broken.parent.mkdir(parents=True, exist_ok=True)  # notebook missing
        _write(dest / "perfect" / assignment / "timestamp.txt", "2026-01-01 12:00:00.000000 UTC")
    (dest / "perfect" / ".ipynb_checkpoints").mkdir(parents=True, exist_ok=True)
    _write(dest / "partial" / next(iter(found)) / "notes.txt", "an extra file")
    return dest


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if isinstance(text, str) else json.dumps(text))
