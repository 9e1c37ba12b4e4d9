"""autograder.isolate.sanitize: what a submission displays or writes in markdown cannot run in a browser."""

from __future__ import annotations

import base64

import nbformat

from autograder.isolate import sanitize

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n0000").decode()


def test_html_loses_scripts_iframes_handlers_and_javascript_links_but_keeps_figures():
    dirty = (
        '<p onclick="alert(1)">hi</p><script>alert(2)</script><iframe srcdoc="<script>alert(3)</script>">'
        '</iframe><img src=x onerror=alert(4)><a href=" jav&#x61;script:alert(5)">a</a>'
        '<a href="data:text/html,<script>alert(6)</script>">b</a><svg onload=alert(7)></svg>'
        "<style>body{background:url(https://evil.example/)}</style><object data=x></object>"
    )
    clean = sanitize.clean_html(dirty)
    assert clean == '<p>hi</p><img src="x"><a>a</a><a>b</a>'
    figure = f'<img src="data:image/png;base64,{PNG}" alt="a plot of x">'  # what the course's figures are
    assert sanitize.clean_html(figure) == figure


def test_markdown_with_harmless_html_is_kept_and_any_other_is_shown_as_text():
    for honest in ("a < b, $x<0$, **bold** & <b>bold</b>", "> quote\n\n[docs](https://numpy.org)"):
        assert sanitize.clean_markdown(honest) == honest
    assert (
        sanitize.clean_markdown("<img src=x onerror=alert(1)> `a<b`")
        == "&lt;img src=x onerror=alert(1)> `a&lt;b`"
    )
    assert sanitize.clean_markdown("hi <script>alert(1)</script>") == "hi &lt;script>alert(1)&lt;/script>"
    links = "[x](javascript:alert(1)) [y](https://a.b) ![i](data:text/html,abc)\n[r]: JaVaScript:x"
    assert sanitize.clean_markdown(links) == "[x](#)) [y](https://a.b) ![i](#)\n[r]: #"


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
    assert clean.cells[0].source == "&lt;img src=x onerror=alert(1)>"
    assert set(clean.cells[0].attachments) == {"a.png"}
    assert clean.cells[1].source == "&lt;script>alert(2)&lt;/script>"
    assert clean.cells[2].outputs[0]["data"] == {"text/html": "ok"}
    nbformat.validate(clean)
