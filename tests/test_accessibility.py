"""Issue 23: the structure of every notebook as a screen reader meets it, and the math it reads.

Checked on the built source/ and release/ notebooks (what instructors and students open), markdown cells
parsed with markdown-it (CommonMark + tables, as JupyterLab renders them):

* one h1 (the notebook's title) and no skipped heading level (an h2 then an h4 loses a level a screen
  reader's heading list relies on);
* every table has a header row (markdown tables always do; an HTML table needs ``<th>``) whose cells
  hold words, not math alone (MathJax draws math with CSS, so axe finds such a header empty);
* every link says where it goes: no "here", "this", "link" or "more" as its text;
* every image in markdown has alt text;
* nothing in our Jupyter, nbgrader or notebook configuration turns off MathJax's assistive output
  (the speech and Braille MathML that JupyterLab's MathJax 3 adds for screen readers).

The browser audit (axe, in tests/test_browser.py) checks the same pages as rendered.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from tests.nbtools import NAMES, ROOT, read, release_path, source_path

VAGUE_LINK_TEXT = {"here", "click here", "this", "link", "this link", "more", "read more", "see here", "page"}
_MD = MarkdownIt("commonmark").enable("table")


def markdown_problems(sources: list[str]) -> list[str]:
    """Heading, table, link and image problems of a notebook's markdown cells, in order."""
    problems = []
    levels = []
    for index, text in enumerate(sources):
        tokens = _MD.parse(text)
        for k, tok in enumerate(tokens):
            if tok.type == "heading_open":
                level = int(tok.tag[1])
                title = tokens[k + 1].content if k + 1 < len(tokens) else ""
                if levels and level > levels[-1] + 1:
                    problems.append(
                        f"cell {index}: heading h{level} {title!r} follows h{levels[-1]} (skips a level)"
                    )
                if not levels and level != 1:
                    problems.append(f"cell {index}: the first heading is h{level} {title!r}, not h1")
                levels.append(level)
            elif tok.type == "table_open":
                rest = tokens[k:]
                end = next(i for i, t in enumerate(rest) if t.type == "table_close")
                if not any(t.type == "th_open" for t in rest[:end]):
                    problems.append(f"cell {index}: a table without a header row")
            elif tok.type == "th_open" and k + 1 < len(tokens):
                words = re.sub(r"\$[^$]*\$", "", tokens[k + 1].content).strip()
                if not words:  # MathJax draws math with CSS: axe (empty-table-header) finds no text
                    problems.append(f"cell {index}: a table header of math alone: {tokens[k + 1].content!r}")
            elif tok.type in ("html_block", "inline") and "<table" in tok.content.lower():
                if "<th" not in tok.content.lower():
                    problems.append(f"cell {index}: an HTML table without <th> header cells")
            if tok.type == "inline":
                problems += _inline_problems(index, tok.children or [])
    h1 = levels.count(1)
    if h1 != 1:
        problems.append(f"{h1} h1 headings; a notebook has exactly one (its title)")
    return problems


def _inline_problems(index: int, children) -> list[str]:
    problems = []
    for k, child in enumerate(children):
        if child.type == "link_open":
            text = []
            for nxt in children[k + 1 :]:
                if nxt.type == "link_close":
                    break
                text.append(nxt.content)
            label = " ".join("".join(text).split()).strip(" .:").lower()
            if not label or label in VAGUE_LINK_TEXT:
                problems.append(f"cell {index}: a link to {child.attrs.get('href')!r} reads {label!r}")
        elif child.type == "image" and not child.content.strip():
            problems.append(f"cell {index}: an image ({child.attrs.get('src')!r}) without alt text")
    return problems


def test_the_structure_check_finds_what_it_should():
    """markdown_problems is not vacuous: each rule fires on a page that breaks it."""
    good = [
        "# Title\n\n## Part\n\n### Detail\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        "## Next\n[the lecture slides](x.pdf)",
    ]
    assert markdown_problems(good) == []
    bad = [
        "## Starts at h2",
        "# One\n\n#### Skips two levels",
        "# Two h1",
        "See [here](https://example.org) and ![](fig.png).",
        "<table><tr><td>1</td></tr></table>",
        "| name | $R(W)$ |\n|---|---|\n| L2 | 1 |",
    ]
    found = " | ".join(markdown_problems(bad))
    for expected in (
        "first heading is h2",
        "h4 'Skips two levels' follows h1",
        "2 h1 headings",
        "reads 'here'",
        "without alt text",
        "HTML table without <th>",
        "a table header of math alone: '$R(W)$'",
    ):
        assert expected in found, (expected, found)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("version", ["source", "release"])
def test_notebook_structure_for_screen_readers(name, version):
    path = source_path(name) if version == "source" else release_path(name)
    nb = read(path)
    problems = markdown_problems([c.source for c in nb.cells if c.cell_type == "markdown"])
    assert not problems, f"{version}/{name}: {problems}"


def test_mathjax_assistive_output_is_not_turned_off():
    """JupyterLab 4's MathJax 3 adds assistive MathML (speech, Braille) to every formula; nothing of ours
    may switch it off: no `enableAssistiveMml`/`assistiveMml` false, no `a11y` options, no other
    renderer than MathJax in the settings files the course ships or writes."""
    texts = {}
    for pattern in ("*.py", "*.json", "*.toml", "*.cfg", "*.yml", "tools/**/*.py", "tools/**/*.json"):
        for path in ROOT.glob(pattern):
            if ".venv" not in path.parts and path.is_file():
                texts[path] = path.read_text(errors="replace")
    for path in (ROOT / ".state" / "jupyter").glob("**/*.json") if (ROOT / ".state").exists() else ():
        texts[path] = path.read_text(errors="replace")
    off = re.compile(r"(enableAssistiveMml|assistiveMml|enableExplorer|a11y)\W+\s*(false|False|0)", re.I)
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p, t in texts.items() for m in off.finditer(t)]
    latex = re.compile(r"@jupyterlab/(mathjax|katex)[^\n]*(disabled|false)", re.I)
    found += [f"{p.relative_to(ROOT)}: {m.group(0)}" for p, t in texts.items() for m in latex.finditer(t)]
    assert not found, f"MathJax's assistive output is turned off: {found}"


def test_axe_report_gives_each_violation_that_stays_a_reason():
    """tests/a11y/axe-report.md, which the browser audit reads: three sections, every row a reason."""
    from tests import axe_audit

    sections = axe_audit.report_sections()
    assert all(sections[s].strip() for s in ("content", "chrome", "feedback")), "a section is missing"
    for scope, text in sections.items():
        for row in re.findall(r"^\|\s*`[a-z0-9-]+`.*$", text, re.M):
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            assert len(cells) == 4 and all(cells), f"{scope}: a row without impact, place or reason: {row}"
    found = [{"id": "region", "impact": "moderate"}, {"id": "color-contrast", "impact": "serious"}]
    assert axe_audit.unlisted("chrome", found) == ["color-contrast"]
    assert axe_audit.unlisted("feedback", found) == ["color-contrast", "region"]  # none may stay
    assert axe_audit.unlisted("content", found) == ["color-contrast", "region"]
