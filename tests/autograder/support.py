"""Shared fixtures and builders for the autograder tests (imported by the tests under tests/autograder/).

The sample course (autograder.samplecourse) is tiny: ``a1_squares`` (square 2 pts, cube 3 pts, a
manual answer 1 pt) and ``a2_double`` (1 pt). Every expensive thing is built once per process.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from autograder.demo import sampleclass as demo
from autograder.demo.samplecourse import write_sample_course
from autograder.receive.course import build_gradebook

IN_CI = os.environ.get("CI", "").strip().lower() == "true"
ROOT = Path(__file__).resolve().parents[2]
A1, A2 = "a1_squares", "a2_double"
# The honest students' exact scores (``honest_notebooks``): no attack graded beside them may move one.
HONEST = {
    ("b_perfect", A1): 5,
    ("b_perfect", A2): 1,
    ("b_wrong", A1): 3,
    ("b_untouched", A1): 0,
    ("b_untouched", A2): 0,
}

WRONG_SQUARE = 'def square(x):\n    """Wrong for negative numbers."""\n    return x * abs(x)'
WRONG_CUBE = 'import numpy as np\ndef cube(x):\n    """Right only for scalars 2."""\n    return 8 if np.ndim(x) == 0 else x'

CHEAT = textwrap.dedent(
    """
    import ast, builtins, numpy, numpy.testing
    numpy.testing.assert_allclose = lambda *a, **k: None
    numpy.allclose = lambda *a, **k: True
    builtins.abs = lambda x: 0.0
    class _NoAsserts(ast.NodeTransformer):
        def visit_Assert(self, node):
            return ast.Pass()
    get_ipython().ast_transformers.append(_NoAsserts())
    print("All tests passed!")
    """
).strip()


def cli(*args, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    """``python -m autograder ARGS`` as a user types it (output captured)."""
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)  # fmt: skip


def report_notebooks(out: Path) -> tuple[dict, dict]:
    """OUT/report.json, and its notebooks by ``(student_id, notebook)``."""
    report = json.loads((out / "report.json").read_text())
    nbs = {
        (s["student_id"], nb["notebook"]): nb
        for s in report["students"]
        for a in s["assignments"].values()
        for nb in a["notebooks"]
    }
    return report, nbs


def grade_cli(submissions: Path, out: Path, *args, timeout=900) -> dict:
    """``python -m autograder grade SUBMISSIONS --out OUT ARGS --no-progress``; it must exit 0.

    Returns the run's ``out``, ``report``, ``nbs`` (``report_notebooks``), ``stdout`` and ``stderr``.
    """
    proc = cli("grade", submissions, "--out", out, *args, "--no-progress", cwd=ROOT, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report, nbs = report_notebooks(out)
    return {"out": out, "report": report, "nbs": nbs, "stdout": proc.stdout, "stderr": proc.stderr}


def honest_notebooks(course: Path) -> dict[tuple[str, str], nbformat.NotebookNode]:
    """The honest students graded beside the attacks, by ``(student, assignment)``; their scores are HONEST."""
    p1, p2 = perfect(course, A1), perfect(course, A2)
    return {
        ("b_perfect", A1): p1,
        ("b_perfect", A2): p2,
        ("b_wrong", A1): with_answers(p1, {"square": WRONG_SQUARE}),
        ("b_untouched", A1): release(course, A1),
        ("b_untouched", A2): release(course, A2),
    }


def need_sandbox() -> None:
    """Skip (or fail under CI=true) when bubblewrap is missing."""
    if shutil.which("bwrap") is None:
        message = "bubblewrap (bwrap) is not installed: apt-get install bubblewrap"
        if IN_CI:
            pytest.fail(message + " (CI=true: the sandbox tests must run)", pytrace=False)
        pytest.skip(message)


def make_course(tmp_path_factory) -> Path:
    """The sample course (source/ and release/) in a fresh temporary folder."""
    return write_sample_course(tmp_path_factory.mktemp("course"))


def make_spec(course: Path, tmp_path_factory):
    """The sample course's gradebook (SQLite), read back as a CourseSpec."""
    work = tmp_path_factory.mktemp("spec")
    return build_gradebook(course, f"sqlite:///{work / 'gradebook.db'}", work)


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory)


def release(course: Path, assignment: str):
    return nbformat.read(str(course / "release" / assignment / f"{assignment}.ipynb"), as_version=4)


def source(course: Path, assignment: str):
    return nbformat.read(str(course / "source" / assignment / f"{assignment}.ipynb"), as_version=4)


def perfect(course: Path, assignment: str):
    return demo.solve(release(course, assignment), source(course, assignment))


def with_answers(nb, answers: dict[str, str]):
    """A copy of ``nb`` with the given answer cells (by grade_id) replaced."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        gid = (cell.metadata.get("nbgrader") or {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def insert_after(nb, grade_id: str, code: str):
    nb = nbformat.from_dict(nb)
    at = next(
        i for i, c in enumerate(nb.cells) if (c.metadata.get("nbgrader") or {}).get("grade_id") == grade_id
    )
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(code))
    return nb


def write(folder: Path, student: str, assignment: str, nb_or_text) -> None:
    path = folder / student / assignment / f"{assignment}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = nb_or_text if isinstance(nb_or_text, str) else nbformat.writes(nb_or_text)
    path.write_text(text)


def grade_ids(nb) -> list[str]:
    return [(c.metadata.get("nbgrader") or {}).get("grade_id") for c in nb.cells]


def test_support_builders_make_valid_notebooks(course):
    nb = with_answers(perfect(course, "a1_squares"), {"square": WRONG_SQUARE})
    nbformat.validate(nb)
    assert "x * abs(x)" in nb.cells[grade_ids(nb).index("square")].source


class _Fetches(html.parser.HTMLParser):
    """Whatever in a page would run or fetch: scripts, frames, objects, links, meta refresh, handlers,
    any href but ``#...``, any src/srcset/poster/background/data/action but a data: image, CSS url()."""

    TAGS = ("script", "iframe", "frame", "object", "embed", "link", "base", "form", "svg", "image", "use")
    URLS = ("src", "srcset", "poster", "background", "data", "action", "formaction", "xlink:href", "lowsrc")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.found.append(tag)
        if tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs):
            self.found.append("meta refresh")
        self._style = tag == "style"
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on") or "javascript:" in value.lower() or "vbscript:" in value.lower():
                self.found.append(f"{tag} {name}={value[:80]}")
            elif name == "href" and not value.startswith("#"):
                self.found.append(f"{tag} href={value[:80]}")
            elif name in self.URLS and not (
                tag == "img" and name == "src" and value.startswith("data:image/")
            ):
                self.found.append(f"{tag} {name}={value[:80]}")
            elif name == "style" and "url(" in value.lower():
                self.found.append(f"{tag} style={value[:80]}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        if self._style and re.search(r"url\(\s*['\"]?(?!data:)|@import", data, re.I):
            self.found.append(f"css {data[:80]}")

    def handle_endtag(self, tag):
        self._style = False


def active_or_external(page: str) -> list[str]:
    """What in ``page`` a browser would run or fetch (empty when nothing)."""
    parser = _Fetches()
    parser.feed(page)
    parser.close()
    return parser.found


def open_in_chromium(path: Path) -> dict:
    """Open a page from disk in Debian's chromium (as tests/test_browser.py does) and say what it did:
    each image's naturalWidth (0 when it did not decode) and alt text, how many scripts and <main>
    it has, its lang, every URL requested besides the page itself and data: URIs, and ``axe``: the
    violations axe-core finds (WCAG 2.0-2.2 A and AA and best practices, tests/axe_audit.py)."""
    from playwright.sync_api import sync_playwright

    from tests import axe_audit
    from tests.test_browser import CHROMIUM_FLAGS, chromium

    executable, url, requested = chromium(), Path(path).resolve().as_uri(), []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: requested.append(r.url))
            page.goto(url)
            page.wait_for_load_state("load")
            return {
                "widths": page.eval_on_selector_all(
                    "img", "imgs => imgs.map(i => i.complete && i.naturalWidth)"
                ),
                "alts": page.eval_on_selector_all("img", "imgs => imgs.map(i => i.alt)"),
                "scripts": page.eval_on_selector_all("script", "s => s.length"),
                "mains": page.eval_on_selector_all("main", "m => m.length"),
                "lang": page.eval_on_selector("html", "h => h.lang"),
                "requested": [u for u in requested if u != url and not u.startswith("data:")],
                "axe": axe_audit.audit(page),
            }
        finally:
            browser.close()
