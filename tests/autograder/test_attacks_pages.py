"""Issue 19, attacks 4 and 5: nothing active or external in any page a person opens.

One grading run (``python -m autograder grade``, a fresh process) of the sample course, honest
students beside two hostile ones:

* d4_links (a1_squares as handed out): its written answer holds ``[x](javascript\\:...)`` and a
  reference definition whose target is on the next line (both survived the old ``clean_markdown``);
* d5_fetch (a1_squares solved): markdown ``![](http://host/p.png?reader=...)``, a raw cell with an
  ``<img>``, and outputs that would fetch: ``display(HTML('<img src=http://...>'))`` with srcset,
  CSS url(), ``<link>``, meta refresh, iframe and object; a Markdown output with an image and a
  ``javascript:`` link; an SVG whose ``<image>`` points away.

Every feedback page and every autograded notebook (rendered the way formgrader renders it, with
nbconvert) is scanned: nothing runs, nothing is fetched, and the attempts show as text. The
attackers score what their notebook scores without the attack; the honest students keep their
exact scores.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.autograder.support import (
    A1,
    HONEST,
    active_or_external,
    grade_cli,
    honest_notebooks,
    insert_after,
    make_course,
    need_sandbox,
    perfect,
    release,
    with_answers,
    write,
)

SCORES = {
    **HONEST,
    ("d4_links", A1): 0,  # as b_untouched
    ("d5_fetch", A1): 5,  # as b_perfect
}
LINKS = '[x](javascript\\:alert("d4")) and [y][r]\n\n[r]:\n  javascript:alert("d4")'
FETCH_MD = '![](http://host.example/p.png?reader=d5) <img src="//host.example/q.png?reader=d5"> ok'
FETCH_RAW = '<img src="http://host.example/r.png?reader=d5">'
FETCH_CODE = """\
from IPython.display import HTML, Markdown, SVG, display
display(HTML('<img src="http://host.example/h.png?reader=d5">'
             '<img srcset="http://host.example/s.png?reader=d5 1x">'
             '<div style="background:url(http://host.example/c.png?reader=d5)">css</div>'
             '<link rel="stylesheet" href="http://host.example/c.css?reader=d5">'
             '<meta http-equiv="refresh" content="0;url=http://host.example/?reader=d5">'
             '<iframe src="http://host.example/?reader=d5"></iframe>'
             '<object data="http://host.example/o?reader=d5"></object>'))
display(Markdown('![](http://host.example/m.png?reader=d5) [a](javascript:alert("d5"))'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://host.example/v.png?reader=d5"/></svg>'))
"""


def build_class(course: Path, folder: Path) -> None:
    for (student, assignment), nb in honest_notebooks(course).items():
        write(folder, student, assignment, nb)
    p1, u1 = perfect(course, A1), release(course, A1)
    write(folder, "d4_links", A1, with_answers(u1, {"why": LINKS}))
    fetch = with_answers(insert_after(p1, "square", FETCH_CODE), {"why": FETCH_MD})
    fetch.cells.insert(0, nbformat.v4.new_raw_cell(FETCH_RAW))
    write(folder, "d5_fetch", A1, fetch)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    folder, out = tmp_path_factory.mktemp("submitted"), tmp_path_factory.mktemp("graded") / "out"
    build_class(course, folder)
    return grade_cli(folder, out, "--course", course, "--workers", "2", "--timeout", "30")


def test_honest_students_keep_their_exact_scores_and_attackers_score_their_notebook(graded):
    assert {key: nb["score"] for key, nb in graded["nbs"].items()} == SCORES


def test_no_feedback_page_runs_or_fetches_anything(graded):
    pages = sorted((graded["out"] / "feedback").rglob("*.html"))
    assert len(pages) == len(SCORES)
    for page in pages:
        text = page.read_text()
        assert '<meta http-equiv="Content-Security-Policy"' in text, page
        assert active_or_external(text) == [], page
        assert "<script" not in text, page
    d5 = (graded["out"] / "feedback" / "d5_fetch" / A1 / f"{A1}.html").read_text()
    assert "[image not shown: http://host.example/p.png?reader=d5]" in d5  # the attempt, as text
    d4 = (graded["out"] / "feedback" / "d4_links" / A1 / f"{A1}.html").read_text()
    assert "javascript" not in d4[d4.index("<body") :]


def test_no_autograded_notebook_runs_or_fetches_anything_where_formgrader_renders_it(graded):
    from nbconvert import HTMLExporter

    notebooks = sorted((graded["out"] / "autograded").rglob("*.ipynb"))
    assert len(notebooks) == len(SCORES)
    exporter = HTMLExporter(template_name="classic")
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        page, _ = exporter.from_notebook_node(nb)
        body = page[page.index("<body") :]  # the head is nbconvert's own (MathJax, as in formgrader)
        assert active_or_external(body) == [], path
        assert "<script" not in body.replace('<script type="text/x-mathjax-config">', ""), path
    d4 = nbformat.read(graded["out"] / "autograded" / "d4_links" / A1 / f"{A1}.ipynb", as_version=4)
    why = next(c for c in d4.cells if (c.metadata.get("nbgrader") or {}).get("grade_id") == "why")
    assert "javascript" not in why.source and why.source.startswith('<div class="autograder-sanitized">')
    d5 = nbformat.read(graded["out"] / "autograded" / "d5_fetch" / A1 / f"{A1}.ipynb", as_version=4)
    assert d5.cells[0].cell_type == "raw" and d5.cells[0].source.startswith("&lt;img")  # shown as text
