"""Feedback a student may see: scores per test, what failed and how, never the hidden tests.

nbgrader's feedback shows hidden tests (nbgrader issue 917) and its tracebacks quote them even with
``ClearHiddenTests``. Here the executed notebook goes through:

1. nbgrader's ``LimitOutput`` (long outputs and tracebacks cut);
2. scores written into the cell metadata the way nbgrader's ``GetGrades`` does (from this run's
   results, so feedback can be rendered in parallel, without a database round trip);
3. nbgrader's ``ClearHiddenTests`` (hidden regions removed from the test cells' source);
4. redaction: an error in a test cell is reduced to ``Name: message`` plus *where* it failed (the
   visible line, or "in a hidden test"); every output of every cell has any line of hidden test code
   replaced by ``[hidden test]``;
5. nbgrader's feedback HTML template (the one ``nbgrader generate_feedback`` uses).

Before 1, ``sanitize.clean_notebook`` makes everything inert (no script, iframe, event handler,
JavaScript output or ``javascript:`` link can reach the page). In 5, markdown is rendered and its
final HTML cleaned (``sanitize.clean_html``: links shown as text with their URL, only data: images);
the page then gets a Content-Security-Policy (``CSP``), loses the template's MathJax script and web
font, and its body is cleaned as a whole when a tag in it is not plainly inert (``finish_page``).
"""

from __future__ import annotations

import copy
import html
import os
import re
import threading

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, LimitOutput

from ..isolate import sanitize
from ..isolate.memo import BoundedMemo
from ..receive.course import HIDDEN_BEGIN, HIDDEN_END, NotebookSpec
from .scoring import ANSI, NotebookResult

#: score written for an answer no person graded yet; render_html shows it as words, never as 0
PENDING = -987654.0
_PENDING_SHOWN = re.compile(r"Score: -987654\.0 / ([0-9.]+)")
CELL_FRAME = re.compile(r"Cell In\[\d+\], line (\d+)")
MIN_REDACT = 6  # shorter hidden lines (") or "pass") are too generic to redact usefully
_local = threading.local()


def hidden_line_numbers(source: str) -> set[int]:
    """1-based line numbers of a test cell's source that lie in a hidden region (markers included)."""
    numbers, inside = set(), False
    for n, line in enumerate(source.split("\n"), start=1):
        if HIDDEN_BEGIN in line:
            inside = True
        if inside:
            numbers.add(n)
        if HIDDEN_END in line:
            inside = False
    return numbers


def hidden_secrets(spec: NotebookSpec) -> list[str]:
    """The hidden test lines to blank out of anything shown (longest first, so none is cut in half)."""
    return sorted(
        {s for c in spec.tests for s in c.hidden_lines if len(s) >= MIN_REDACT}, key=len, reverse=True
    )


def redact_text(text: str, secrets: list[str]) -> str:
    """``text`` with every one of ``secrets`` (``hidden_secrets``) replaced by ``[hidden test]``."""
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "[hidden test]")
    return text


def _redact_output(output: dict, secrets: list[str]) -> None:
    if "text" in output:
        output["text"] = redact_text(str(output["text"]), secrets)
    if "evalue" in output:
        output["evalue"] = redact_text(ANSI.sub("", str(output["evalue"])), secrets)
    if "traceback" in output:
        output["traceback"] = [redact_text(ANSI.sub("", str(t)), secrets) for t in output["traceback"]]
    for key, value in list((output.get("data") or {}).items()):
        if isinstance(value, str) and key.startswith("text/"):
            output["data"][key] = redact_text(value, secrets)


def failure_location(output: dict, source: str) -> str:
    """Where in a test cell an error was raised: a visible line, or 'in a hidden test'."""
    lines = source.split("\n")
    hidden = hidden_line_numbers(source)
    for entry in output.get("traceback", []):
        m = CELL_FRAME.search(ANSI.sub("", str(entry)))
        if m:
            n = int(m.group(1))
            if n in hidden:
                return "in a hidden test"
            if 1 <= n <= len(lines):
                return f"at the visible check: {lines[n - 1].strip()}"
            break
    return ""


# problems the student is told about at the top of the page: what the grader did with the hand-in
NOTICES = {"renamed": "Your file was graded under another name"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def _plain(text) -> str:
    """``text`` as markdown that renders it literally (no markup, no HTML)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text)))


def notice_cell(result: NotebookResult):
    """A markdown cell saying what the grader did with the hand-in (a renamed file), or None.

    The detail holds file names the student chose: escaped, so it is shown as plain text.
    """
    lines = [
        f"**{NOTICES[p['kind']]}.** {_plain(p['detail'])}"
        for p in result.problems
        if p.get("kind") in NOTICES
    ]
    if not lines:
        return None
    text = "\n\n".join(["### Note from the grader", *lines, "Please keep the notebook's name and folder."])
    return nbformat.v4.new_markdown_cell(text)


def redact(nb, spec: NotebookSpec, result: NotebookResult):
    """Return the student-safe copy of an executed notebook (scores in the metadata)."""
    nb = sanitize.clean_notebook(copy.deepcopy(nb))
    notice = notice_cell(result)
    if notice is not None:
        nb.cells.insert(0, notice)
    by_id = spec.by_id()
    secrets = hidden_secrets(spec)
    scores = {c.grade_id: c for c in result.cells}
    resources = {}
    nb, resources = LimitOutput().preprocess(nb, resources)
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader") or {}
        spec_cell = by_id.get(meta.get("grade_id"))
        if spec_cell is not None and spec_cell.grade_id in scores:
            r = scores[spec_cell.grade_id]
            waiting = r.score is None and r.kind in ("manual", "task")  # nobody graded it yet
            meta["score"] = PENDING if waiting else (r.score or 0.0)
            meta["points"] = r.points
        if meta.get("solution"):
            meta.setdefault("comment", None)
        if cell.cell_type != "code":
            continue
        is_test = spec_cell is not None and spec_cell.kind == "test"
        outputs = []
        for output in cell.get("outputs", []):
            if is_test and output.get("output_type") == "error":
                where = failure_location(output, spec_cell.source)
                evalue = redact_text(ANSI.sub("", str(output.get("evalue", ""))), secrets)
                summary = f"{output.get('ename', 'Error')}: {evalue}"
                output = nbformat.from_dict(
                    {
                        "output_type": "error",
                        "ename": output.get("ename", "Error"),
                        "evalue": evalue,
                        "traceback": [summary + (f"\n  ({where})" if where else "")],
                    }
                )
            else:
                _redact_output(output, secrets)
            outputs.append(output)
        if is_test and spec_cell.grade_id in scores and scores[spec_cell.grade_id].status == "not_run":
            note = scores[spec_cell.grade_id].reason
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"Not graded: {note}\n"))
        cell.outputs = outputs
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    return nb


# the instructor's cells are the same in every student's page: each is highlighted or rendered once
_RENDERED = BoundedMemo()


def _exporter():
    if getattr(_local, "exporter", None) is None:
        import nbgrader
        from nbconvert.exporters import HTMLExporter, TemplateExporter
        from nbconvert.exporters.html import contextfilter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
        from traitlets.config import Config

        class FeedbackExporter(HTMLExporter):
            """nbconvert's HTMLExporter without its final BeautifulSoup pass (accessibility attributes
            for a page nobody edits; it is half the rendering time)."""

            def from_notebook_node(self, nb, resources=None, **kw):
                lang = nb.metadata.get("language_info", {})
                lexer = lang.get("pygments_lexer", lang.get("name", None))
                highlight = Highlight2HTML(pygments_lexer=lexer, parent=self)

                def highlight_code(source, language=None, metadata=None):
                    magic = (metadata or {}).get("magics_language")
                    key = ("code", source, str(language or lexer), str(magic))
                    return _RENDERED.get(key, lambda: highlight(source, language, metadata))

                self.register_filter("highlight_code", highlight_code)
                resources = self._init_resources(resources)
                self.register_filter(
                    "filter_data_type",
                    WidgetsDataTypeFilter(
                        notebook_metadata=self._nb_metadata, parent=self, resources=resources
                    ),
                )
                return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

            @contextfilter
            def markdown2html(self, context, source):
                """Rendered, then the final HTML sanitized (the student's markdown and comments)."""
                cell = context.get("cell", {})
                if cell.get("attachments"):
                    return sanitize.clean_html(super().markdown2html(context, source))
                path = context.get("resources", {}).get("metadata", {}).get("path", "")
                return _RENDERED.get(
                    ("md", source, str(path)),
                    lambda: sanitize.clean_html(super(FeedbackExporter, self).markdown2html(context, source)),
                )

        base = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
        c = Config()
        c.HTMLExporter.template_name = "feedback"
        # the notebook is nbformat-valid when it comes here; nbconvert would validate it again
        # after each of its dozen preprocessors (a tenth of the page's time)
        c.HTMLExporter.optimistic_validation = True
        c.HTMLExporter.extra_template_basedirs = [os.path.join(base, "templates")]
        c.HTMLExporter.extra_template_paths = [
            os.path.join(base, "static", "node_modules", "bootstrap", "dist", "css")
        ]
        _local.exporter = FeedbackExporter(config=c)
    return _local.exporter


def render_html(nb, result: NotebookResult, late_penalty: float = 0.0) -> str:
    resources = {
        "nbgrader": {
            "notebook": result.notebook,
            "assignment": result.assignment,
            "student": result.student,
            "score": result.score - late_penalty,
            "max_score": result.max_score,
            "late_penalty": late_penalty,
        }
    }
    page, _ = _exporter().from_notebook_node(nb, resources=resources)
    page = _PENDING_SHOWN.sub(r"Score: waiting for manual grading, out of \1", page)
    return finish_page(page)


CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.S | re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)  # bootstrap's glyphicons: url(../fonts/...)


# What nbgrader's feedback template lacks for a screen reader, a keyboard or low vision (issue 23;
# measured with axe in tests/test_browser.py): a language, a landmark, links told from text by more than
# colour (underlined, 6.6:1 on the panels' grey), headings' links readable on their blue (white, 4.5:1),
# code that wraps instead of scrolling (a scrolling <pre> cannot be reached by keyboard) and syntax
# colours of at least 4.5:1 on the code's grey background.
_A11Y_CSS = """<style>
a, a:visited { color: #23527c; text-decoration: underline; }
div.nbgrader_cell .panel-heading a, div.nbgrader_cell .panel-heading a:visited { color: #ffffff; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.highlight .c, .highlight .c1, .highlight .ch, .highlight .cm, .highlight .cp, .highlight .cpf,
.highlight .cs, .highlight .sd { color: #2c5959; }
.highlight .ow, .highlight .nd, .highlight .si, .highlight .se, .highlight .sa { color: #6a1b9a; }
.highlight .ne { color: #a8322c; }
</style>"""
_HTML_TAG = re.compile(r"<html\b[^>]*>", re.I)
_CLOSING = re.compile(r"</?main\b[^>]*>|</body\s*>|</html\s*>", re.I)


def _accessible(head: str) -> str:
    """``head`` with ``<html lang="en">`` and the stylesheet above (inline: the CSP allows only that)."""
    head = _HTML_TAG.sub('<html lang="en">', head, count=1)
    at = head.lower().rfind("</head>")
    return head[:at] + _A11Y_CSS + head[at:] if at >= 0 else head + _A11Y_CSS


def finish_page(page: str) -> str:
    """The final page: its head the template's own (no script, no font fetched) under a
    Content-Security-Policy; its body sanitized once more as a whole (no href but ``#...``, no src
    but data images) when any tag in it is not plainly inert, whatever a template or a filter let
    through (each cell's HTML went through ``sanitize.clean_html`` already: on the course's pages the
    check finds nothing and costs 5-10 ms, where the whole-body pass would cost 50)."""
    head, sep, body = page.partition("<body")
    if not sep:
        head, body = "<!DOCTYPE html><html><head><meta charset='utf-8'></head>", page
    else:
        body = body[body.index(">") + 1 :]
    head = _accessible(_FONT_FACE.sub("", _SCRIPT.sub("", head)))
    at = head.lower().find("<head>")
    head = head[: at + 6] + _CSP_META + head[at + 6 :] if at >= 0 else head
    if not sanitize.page_body_is_inert(body):
        body = sanitize.clean_page_body(body)
    # one <main> around everything (nbconvert's own sits inside the feedback template's score panel)
    body = _CLOSING.sub("", body)
    return head + "<body>\n<main>\n" + body + "\n</main>\n</body>\n</html>\n"


def add_late_note(page: str, note: str) -> str:
    """The page with ``note`` ("handed in 2 days 3 hours late: -20%") under its score heading.

    The template already lists the penalty in points ("Late submission penalty (Score: -2.2)"); this
    says why. Plain escaped text in a ``<p>``: the finished page stays inert.
    """
    if not note:
        return page
    block = f'<p class="late-note"><strong>{html.escape(note[0].upper() + note[1:])}</strong></p>'
    at = page.find("</h4>")
    if at < 0:
        at = page.find("<main>")
        return page[: at + 6] + block + page[at + 6 :] if at >= 0 else block + page
    return page[: at + 5] + block + page[at + 5 :]
