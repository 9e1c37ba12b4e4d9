"""The accessibility audit of the browser tests (issue 23): axe-core in chromium, and its committed report.

``audit(page, ...)`` injects axe-core (bundled by the PyPI package ``axe-playwright-python``, so it runs
offline) into a playwright page and runs the rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus
axe's best practices. Three scopes:

* ``content``: what the course controls in a notebook rendered by JupyterLab, i.e. the rendered markdown
  and the outputs of the notebook's cells (figures, text, widgets);
* ``chrome``: the rest of the JupyterLab page (menus, toolbars, side bars, the code editors): JupyterLab's
  own, which we do not control;
* ``feedback``: the whole HTML feedback page the autograder writes.

The test fails on any serious or critical violation in ``content`` or ``feedback``, and on any
violation, of any scope, that ``tests/a11y/axe-report.md`` does not list with the reason it stays (its
feedback section lists none).
Each run writes what it found to ``artifacts/axe/<page>.json`` and ``artifacts/axe/summary.md``.
"""

from __future__ import annotations

import json
import re

from tests.nbtools import ROOT

REPORT = ROOT / "tests" / "a11y" / "axe-report.md"
ARTIFACTS = ROOT / "artifacts" / "axe"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
BLOCKING = ("serious", "critical")
# Our content inside JupyterLab's notebook panel: rendered markdown and cell outputs.
CONTENT = [".jp-Notebook .jp-MarkdownOutput", ".jp-Notebook .jp-OutputArea-output"]


def _axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def audit(page, *, include: list[str] | None = None, exclude: list[str] | None = None) -> list[dict]:
    """axe's violations on ``page`` (optionally only inside ``include``, never inside ``exclude``).

    Returns one dict per rule violated: ``id``, ``impact``, ``help``, ``nodes`` (how many elements),
    ``targets`` (the CSS selectors of the first five), ``html`` (the first three elements) and ``why``
    (axe's failure summary of the first).
    """
    page.evaluate(_axe_script())
    context: dict = {}
    if include:
        context["include"] = [[s] for s in include]
    if exclude:
        context["exclude"] = [[s] for s in exclude]
    options = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
    # Empty include selectors make axe throw: keep only those that match something.
    if include:
        present = page.evaluate("sels => sels.filter(s => document.querySelector(s))", include)
        if not present:
            return []
        context["include"] = [[s] for s in present]
    results = page.evaluate(
        "([context, options]) => axe.run(Object.keys(context).length ? context : document, options)",
        [context, options],
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": len(v["nodes"]),
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:5]],
            "html": [n["html"][:200] for n in v["nodes"][:3]],
            "why": v["nodes"][0].get("failureSummary", "")[:500] if v["nodes"] else "",
        }
        for v in results["violations"]
    ]


def blocking(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in BLOCKING]


def report_sections() -> dict[str, str]:
    """The committed report's sections by scope: ``content``, ``chrome``, ``feedback``."""
    text = REPORT.read_text()
    sections = {}
    for scope in ("content", "chrome", "feedback"):
        match = re.search(rf"^## .*\({scope}\)\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
        sections[scope] = match.group(1) if match else ""
    return sections


def unlisted(scope: str, violations: list[dict]) -> list[str]:
    """Rule ids found in ``scope`` that the report's section for that scope does not list with a reason.

    A rule is listed when its id appears in backticks at the start of a table row: ``| `rule-id` |``.
    """
    section = report_sections()[scope]
    listed = set(re.findall(r"^\|\s*`([a-z0-9-]+)`\s*\|", section, re.M))
    return sorted({v["id"] for v in violations} - listed)


def save(page_name: str, scope_results: dict[str, list[dict]]) -> None:
    """Write ``artifacts/axe/<page_name>.json`` and add its rows to ``artifacts/axe/summary.md``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{page_name}.json").write_text(json.dumps(scope_results, indent=1))
    rows = []
    for scope, violations in scope_results.items():
        for v in violations:
            rows.append(
                f"| {page_name} | {scope} | `{v['id']}` | {v['impact']} | {v['nodes']} | {v['help']} |"
            )
    if not rows:
        rows = [f"| {page_name} | all | (none) | | 0 | |"]
    summary = ARTIFACTS / "summary.md"
    with open(summary, "a") as out:
        out.write("\n".join(rows) + "\n")


def describe(violations: list[dict]) -> str:
    return "; ".join(
        f"{v['id']} ({v['impact']}, {v['nodes']} elements, e.g. {v['targets'][:2]})" for v in violations
    )


def clear_artifacts() -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*"):
        if old.is_file():
            old.unlink()
