"""The course in a real browser: JupyterLab + Debian's chromium driven by playwright.

One JupyterLab server on a loopback port with a token serves a temporary copy of the course (its
state folders inside the project, not HOME).  For each notebook a copy of the instructor version,
outputs cleared, is opened, run top to bottom, checked for error output and browser console errors;
every explorer (a cell showing ipywidgets) must render, and moving its first control must change what
it shows.  Screenshots of the whole notebook go to artifacts/screenshots/NN_name_KK.png (ignored by
git).  nbgrader's Validate button and formgrader are checked on the same server.

Accessibility (issue 23): axe-core audits each notebook after its run (our content and JupyterLab's
chrome apart) and each notebook's autograder feedback page (tests/axe_audit.py; what stays is in
tests/a11y/axe-report.md), and one exercise of 01 is done with the keyboard alone.

Needs chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run does it).  Never run
`playwright install`: it downloads another browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests import axe_audit
from tests.nbtools import NAMES, ROOT, source_path

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Console errors that are not the course's doing; each one is JupyterLab probing an optional service.
IGNORED_CONSOLE = (
    "favicon",  # the browser asks for /favicon.ico, JupyterLab serves its own icon elsewhere
    "lab/api/translations",  # language packs: none installed
    "api/lsp",  # jupyter-lsp status probe: no language server installed
    "[LSP]",
    "api/news",  # the news feed is disabled offline
    "lab/api/listings",  # extension manager listings (no network)
)
RUN_TIMEOUT_S = 300
MAX_SHOTS = 40


def chromium() -> str:
    """Debian's chromium and python playwright, or a failure that says what to install."""
    path = shutil.which("chromium")
    if path is None:
        pytest.fail(
            "the browser tests need Debian's chromium: `apt-get install -y chromium` (as root; .ci/run does "
            "it). Never `playwright install`: it downloads another browser.",
            pytrace=False,
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.fail(
            "the browser tests need playwright: `make setup` installs it (pip's .[dev])", pytrace=False
        )
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cleared_copy(src: Path, dest: Path) -> None:
    """Copy a notebook without outputs or execution counts: what a run in the browser must rebuild."""
    nb = nbformat.read(src, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nbformat.write(nb, dest)


def lab_env(course: Path) -> dict[str, str]:
    state = ROOT / ".state"
    env = dict(os.environ)
    # A student's kernel: no grading flag, and matplotlib's inline backend (MPLBACKEND=Agg from a test
    # shell would hide every figure). No full CIFAR-10 either: a path that does not exist makes 08 say
    # how to get it and fall back to the shipped sample at once (fast, and no download attempt).
    for var in ("NBGRADER_EXECUTION", "MPLBACKEND"):
        env.pop(var, None)
    env.update(
        NN_BASICS_CIFAR10=str(course / "no-full-cifar10" / "cifar-10-python.tar.gz"),
        JUPYTER_CONFIG_DIR=str(state / "jupyter" / "config"),
        JUPYTER_DATA_DIR=str(state / "jupyter" / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "jupyter" / "runtime-browser"),
        JUPYTERLAB_WORKSPACES_DIR=str(course / ".workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(course / ".settings"),
        IPYTHONDIR=str(state / "ipython"),
        MPLCONFIGDIR=str(state / "matplotlib"),
        XDG_CONFIG_HOME=str(state / "config"),
        XDG_CACHE_HOME=str(state / "cache"),
        JUPYTER_PLATFORM_DIRS="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def api(base: str, token: str, path: str, method: str = "GET"):
    request = urllib.request.Request(
        f"{base}{path}", method=method, headers={"Authorization": f"token {token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


@contextlib.contextmanager
def serve_lab(module_args: list[str], *, cwd: Path, env: dict[str, str], log_path: Path):
    """``python -m <module_args> --ServerApp.port=... --IdentityProvider.token=...`` on loopback, ready.

    Yields (base_url, token); the server is stopped on exit. ``module_args`` is e.g.
    ``["jupyterlab", "--ServerApp.root_dir=..."]`` or ``["tools.formgrade", "graded"]``.
    """
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", *module_args, "--no-browser", "--ServerApp.ip=127.0.0.1"]
    command += [
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.allow_root=True",
    ]
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                api(base, token, "/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"{module_args[0]} did not start:\n{log_path.read_text()[-3000:]}")
                time.sleep(0.5)
        try:
            yield base, token
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab on a temporary course; yields (base_url, token, course_root)."""
    chromium()
    course = tmp_path_factory.mktemp("course")
    built = [name for name in NAMES if source_path(name).exists()]
    for name in built:
        (course / "source" / name).mkdir(parents=True)
        shutil.copy(source_path(name), course / "source" / name / f"{name}.ipynb")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    from tools import build

    build.build_release(built, course)  # the formgrader's gradebook, as after `make release`
    work = course / "work"
    work.mkdir()
    for name in built:
        cleared_copy(source_path(name), work / f"{name}.ipynb")
    # No "notified about Jupyter news?" toast over the screenshots (and no request to the internet).
    settings = course / ".settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    lab_args = ["jupyterlab", f"--ServerApp.root_dir={course}", "--LabApp.expose_app_in_browser=True"]
    with serve_lab(lab_args, cwd=course, env=lab_env(course), log_path=course / "lab.log") as (base, token):
        yield base, token, course


@pytest.fixture(scope="module", autouse=True)
def _fresh_axe_artifacts():
    """artifacts/axe/ holds this run's audit only."""
    axe_audit.clear_artifacts()


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _console(page, message) -> None:
    if message.type != "error":
        return
    where = f"{message.text} {message.location.get('url', '')}"
    if not any(s in where for s in IGNORED_CONSOLE):
        page.console_errors.append(message.text[:500])


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: _console(pg, m))
    pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
    yield pg
    context.close()
    base, token, _ = lab
    for session in api(base, token, "/api/sessions") or []:  # free the kernel's memory
        api(base, token, f"/api/sessions/{session['id']}", method="DELETE")


def open_notebook(page, lab, relpath: str, *, collapse: bool = True) -> None:
    base, token, _ = lab
    page.goto(f"{base}/lab/tree/{relpath}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=90_000,
    )
    if collapse:  # room for the notebook: close the side panels (the file browser opens by default)
        page.evaluate("() => { const s = window.jupyterapp.shell; s.collapseLeft(); s.collapseRight(); }")


RUN_STATE = """() => {
  const w = window.jupyterapp.shell.currentWidget; const cells = w.content.model.cells;
  let pending = 0, errors = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code' || !c.sharedModel.getSource().trim()) continue;
    if (!c.executionCount) pending++;
    for (const o of c.outputs.toJSON()) if (o.output_type === 'error') errors++;
  }
  return {pending, errors, idle: w.sessionContext.session.kernel.status === 'idle'};
}"""


def run_all(page, timeout_s: int = RUN_TIMEOUT_S) -> None:
    """Run every cell; return once all code cells ran, or run-all stopped at an error."""
    page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
    deadline = time.monotonic() + timeout_s
    idle_with_error = 0
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        state = page.evaluate(RUN_STATE)
        if state["idle"] and state["pending"] == 0:
            return
        # Run-all stops at the first error and leaves later cells unexecuted.
        idle_with_error = idle_with_error + 1 if state["idle"] and state["errors"] else 0
        if idle_with_error >= 6:
            return
    raise AssertionError(f"run-all did not finish within {timeout_s} s: {page.evaluate(RUN_STATE)}")


def error_outputs(page) -> list[str]:
    """Error and stderr outputs of the current notebook, read from its model."""
    return page.evaluate(
        "() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const errs = [];"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type !== 'code') continue;"
        "   for (const o of c.outputs.toJSON()) {"
        "     if (o.output_type === 'error') errs.push(`cell ${i}: ${o.ename}: ${o.evalue}`);"
        "     if (o.output_type === 'stream' && o.name === 'stderr') errs.push(`cell ${i} stderr: ${o.text}`); } }"
        " return errs; }"
    )


EXPLORER_STATE = """el => {
  const imgs = Array.from(el.querySelectorAll('.widget-output img, .jp-OutputArea-output img'))
    .map(i => i.src.length + ':' + i.src.slice(-300));
  const texts = Array.from(el.querySelectorAll(
      '.widget-output pre, .widget-output .jp-RenderedHTMLCommon, .widget-html-content, .widget-label-basic'))
    .map(e => e.innerText);
  return imgs.join('|') + '#' + texts.join('|');
}"""


# Math that did not typeset: MathJax error boxes, unknown macros (shown in red), and a '$' left in the
# rendered text (unbalanced braces make MathJax pair the delimiters wrongly).
BAD_MATH = """() => {
  const found = [];
  for (const e of document.querySelectorAll('.jp-Notebook mjx-merror'))
    found.push('error: ' + (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120));
  for (const e of document.querySelectorAll('.jp-Notebook mjx-container mtext[mathcolor="red"]'))
    found.push('unknown macro: ' + e.textContent);
  for (const md of document.querySelectorAll('.jp-Notebook .jp-MarkdownOutput')) {
    const copy = md.cloneNode(true);
    copy.querySelectorAll('code, pre, mjx-container, script').forEach(n => n.remove());
    const text = copy.textContent; const at = text.indexOf('$');
    if (at >= 0) found.push('stray $: ...' + text.slice(Math.max(0, at - 60), at + 60) + '...');
  }
  return found;
}"""


def explorer_cells(page):
    """Locators of the cells whose output shows ipywidgets (the explorers)."""
    cells = page.locator(".jp-Notebook .jp-Cell:has(.jp-OutputArea .jupyter-widgets)")
    return [cells.nth(i) for i in range(cells.count())]


def rendered_errors(page) -> list[str]:
    """Errors and stderr shown anywhere in the notebook, widget outputs included (explorer callbacks)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-Notebook [data-mime-type=\"application/vnd.jupyter.stderr\"]'))"
        ".map(e => e.innerText.slice(0, 300))"
    )


def widget_errors(page) -> list[str]:
    """Widgets that failed to render (ipywidgets shows 'Error displaying widget' in their place)."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
        ".map(e => e.innerText).filter(t => /Error displaying widget|Error rendering/.test(t))"
        ".map(t => t.slice(0, 200))"
    )


def poke(page, cell) -> str:
    """Move the cell's first control (slider, number box, dropdown, toggle, checkbox); return what was moved."""
    cell.scroll_into_view_if_needed()
    handle = cell.locator(".widget-slider .noUi-handle, .widget-hslider .noUi-handle").first
    if handle.count():
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
        return "slider"
    number = cell.locator(".widget-inline-hbox input[type=number]").first
    if number.count():  # the explorers' number boxes: stepped with the arrow keys, as a student would
        number.scroll_into_view_if_needed()
        number.focus()
        for _ in range(3):
            number.press("ArrowUp")
        return "number box"
    select = cell.locator(".widget-dropdown select").first
    if select.count():
        options = select.locator("option")
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % max(options.count(), 1))
        return "dropdown"
    toggle = cell.locator(".widget-toggle-buttons button:not(.mod-active)").first
    if toggle.count():
        toggle.click()
        return "toggle"
    checkbox = cell.locator(".widget-checkbox input").first
    if checkbox.count():
        checkbox.click()
        return "checkbox"
    button = cell.locator(".widget-button, .jupyter-button").first
    if button.count():
        button.click()
        return "button"
    return ""


def responds(page, cell, timeout_s: float = 30) -> tuple[bool, str]:
    before = cell.evaluate(EXPLORER_STATE)
    control = poke(page, cell)
    if not control:
        return False, "no control found"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        now = cell.evaluate(EXPLORER_STATE)
        if now != before:
            # Let the last of the three moves draw: the kernel idle and the display unchanged twice.
            settle_until, quiet = time.monotonic() + 20, 0
            while time.monotonic() < settle_until and quiet < 2:
                page.wait_for_timeout(700)
                later = cell.evaluate(EXPLORER_STATE)
                idle = page.evaluate(
                    "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
                    " === 'idle'"
                )
                quiet = quiet + 1 if (idle and later == now) else 0
                now = later
            return True, control
    return False, f"moved its {control}, display did not change within {timeout_s} s"


def screenshots(page, name: str) -> int:
    """Screenshots of the whole notebook, top to bottom; returns how many."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}_*.png"):  # this notebook's shots from an earlier run
        old.unlink()
    # JupyterLab 4 scrolls the notebook inside its windowed panel, not the notebook node itself.
    scroller = (
        "(window.jupyterapp.shell.currentWidget.content.node.querySelector('.jp-WindowedPanel-outer')"
        " || window.jupyterapp.shell.currentWidget.content.node)"
    )
    page.evaluate(f"{scroller}.scrollTop = 0")
    for i in range(MAX_SHOTS):
        page.wait_for_timeout(400)
        page.screenshot(path=str(ARTIFACTS / f"{name}_{i:02d}.png"))
        at_end = page.evaluate(
            f"() => {{ const n = {scroller}; const top = n.scrollTop;"
            " n.scrollTop += n.clientHeight * 0.9; return n.scrollTop === top; }"
        )
        if at_end:
            return i + 1
    return MAX_SHOTS


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_jupyterlab(lab, page, name):
    if not source_path(name).exists():
        pytest.fail(f"{source_path(name).relative_to(ROOT)} is missing: run `make source NB={name}`")
    open_notebook(page, lab, f"work/{name}.ipynb")
    run_all(page)
    errors = error_outputs(page)
    assert not errors, f"{name}: error output in the browser: {errors[:3]}"
    page.wait_for_timeout(1000)  # widgets render after the kernel replies
    assert not widget_errors(page), f"{name}: widgets failed to render: {widget_errors(page)}"
    explorers = explorer_cells(page)
    assert explorers, f"{name}: no widget explorer rendered"
    screenshots(page, name)  # scrolls through the notebook, so every cell's math is typeset
    bad_math = page.evaluate(BAD_MATH)
    assert not bad_math, f"{name}: LaTeX that MathJax cannot typeset: {bad_math[:5]}"
    silent = []
    for index, cell in enumerate(explorers):
        ok, what = responds(page, cell)
        cell.screenshot(path=str(ARTIFACTS / f"{name}_explorer_{index + 1}.png"))
        if not ok:
            silent.append(f"explorer {index + 1} of {len(explorers)}: {what}")
    assert not silent, f"{name}: explorers that did not respond: {silent}"
    page.wait_for_timeout(500)
    assert not rendered_errors(page), (
        f"{name}: errors shown after moving explorers: {rendered_errors(page)[:3]}"
    )
    assert not page.console_errors, f"{name}: browser console errors: {page.console_errors[:5]}"
    audit_notebook(page, name)


def audit_notebook(page, name: str) -> None:
    """axe on the notebook as run (issue 23): our content without serious or critical violations, and
    every violation, ours or JupyterLab's, listed in tests/a11y/axe-report.md with the reason it stays."""
    started = time.monotonic()
    content = axe_audit.audit(page, include=axe_audit.CONTENT)
    # JupyterLab's chrome is the same page around every notebook: audited once, beside the first (it
    # takes as long as the content, 10-30 s, and CI's time is limited).
    chrome = axe_audit.audit(page, exclude=axe_audit.CONTENT) if name == NAMES[0] else []
    assistive = page.evaluate("() => document.querySelectorAll('.jp-Notebook mjx-assistive-mml').length")
    formulas = page.evaluate("() => document.querySelectorAll('.jp-Notebook mjx-container').length")
    axe_audit.save(name, {"content": content, "chrome": chrome})
    print(f"{name}: axe in {time.monotonic() - started:.1f} s; content {axe_audit.describe(content)}")
    assert not axe_audit.blocking(content), (
        f"{name}: serious axe violations: {axe_audit.describe(axe_audit.blocking(content))}"
    )
    missing = {
        scope: axe_audit.unlisted(scope, found) for scope, found in (("content", content), ("chrome", chrome))
    }
    assert not any(missing.values()), (
        f"{name}: axe violations not listed in {axe_audit.REPORT.relative_to(ROOT)}: {missing} "
        f"(content: {axe_audit.describe(content)}; chrome: {axe_audit.describe(chrome)})"
    )
    # MathJax's assistive MathML (what a screen reader reads of a formula) is on for every formula.
    assert formulas and assistive == formulas, (
        f"{name}: {assistive} of {formulas} formulas carry assistive MathML"
    )


def click_validate(page) -> str:
    page.locator(".validate-button").first.click()
    body = page.locator(".jp-Dialog .validation-success, .jp-Dialog .validation-failed, .jp-Dialog-body")
    page.wait_for_function(
        "() => { const d = document.querySelector('.jp-Dialog'); return d && ("
        " d.querySelector('.validation-success, .validation-failed, .validation-changed, .validation-passed')"
        " || /There was an error/.test(d.innerText)); }",
        timeout=240_000,
    )
    assert body.count()
    return page.locator(".jp-Dialog").inner_html()


def test_validate_button_reports_failures_on_untouched_release(lab, page):
    _, _, course = lab
    name = NAMES[0]
    shutil.copy(
        course / "release" / name / f"{name}.ipynb", course / "work" / f"validate_release_{name}.ipynb"
    )
    open_notebook(page, lab, f"work/validate_release_{name}.ipynb")
    html = click_validate(page)
    assert "validation-failed" in html and "The following cell failed" in html, html[:2000]
    assert "NotImplementedError" in html, html[:2000]


def test_validate_button_succeeds_with_solutions(lab, page):
    _, _, course = lab
    name = NAMES[0]
    cleared_copy(source_path(name), course / "work" / f"validate_solved_{name}.ipynb")
    open_notebook(page, lab, f"work/validate_solved_{name}.ipynb")
    html = click_validate(page)
    assert "Success! Your notebook passes all the tests." in html, html[:2000]


def test_formgrader_lists_the_eight_assignments(lab, page):
    base, token, _ = lab
    page.goto(f"{base}/formgrader/manage_assignments?token={token}")
    names = json.dumps(NAMES)
    try:  # the table is filled from the gradebook after the page has loaded
        page.wait_for_function(
            f"() => {{ const t = document.body.innerText; return {names}.every(n => t.includes(n)); }}",
            timeout=60_000,
        )
    except Exception:  # noqa: BLE001 - report which ones are missing below
        pass
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "formgrader.png"))
    text = page.locator("body").inner_text()
    missing = [name for name in NAMES if name not in text]
    assert not missing, (
        f"formgrader does not list {missing} (screenshot: artifacts/screenshots/formgrader.png)"
    )


def test_exchange_panels_work_with_the_course_config(lab):
    """Assignments and Courses panels: nbgrader's exchange lives in the course's .state/, writable."""
    base, token, course = lab
    for path in ("/assignments?course_id=nn-basics", "/courses", "/formgraders"):
        answer = api(base, token, path)
        assert answer["success"], f"{path}: {answer}"
    assert (course / ".state" / "exchange").is_dir()


# --- issue 23: the feedback page audited, and one exercise done with the keyboard alone -------------


@pytest.mark.parametrize("name", NAMES)
def test_feedback_page_has_no_serious_accessibility_violation(lab, browser, tmp_path, name):
    """The autograder's HTML feedback for each notebook (a student who failed its first test), audited
    by axe as a whole: we render all of it, so all of it counts (see tests/a11y/axe-report.md)."""
    import nbformat as nbf

    from autograder.receive import repair
    from autograder.receive.course import load_spec
    from autograder.results import feedback
    from autograder.results.scoring import CellResult, NotebookResult

    _, _, course = lab  # its gradebook.db holds every assignment (build_release in the fixture)
    spec = load_spec(f"sqlite:///{course / 'gradebook.db'}", "nn-basics", course / "source", [name])
    spec = spec.notebook(name, name)
    assert spec is not None, f"{name} is not in the course's gradebook"
    nb, _ = repair.prepare(nbformat.read(source_path(name), as_version=4), spec)
    failing = spec.tests[0].grade_id
    cells = []
    for c in spec.cells:
        if c.kind == "test" and c.grade_id == failing:
            cells.append(CellResult(c.grade_id, "test", c.points, 0.0, "failed", "AssertionError"))
        elif c.kind == "test":
            cells.append(CellResult(c.grade_id, "test", c.points, c.points, "passed"))
        elif c.kind == "manual":
            cells.append(CellResult(c.grade_id, "manual", c.points, None, "manual"))
    for cell in nb.cells:  # the failing test's output, with the colours of a real traceback
        if (cell.metadata.get("nbgrader") or {}).get("grade_id") == failing:
            cell.outputs = [
                nbf.v4.new_output(
                    "error",
                    ename="AssertionError",
                    evalue=f"{failing}: expected 0.0, got -0.5",
                    traceback=[
                        "\x1b[0;31m---------------------------------------------------------------------------\x1b[0m",
                        "\x1b[0;31mAssertionError\x1b[0m                            Traceback (most recent call last)",
                        f"\x1b[0;31mAssertionError\x1b[0m: {failing}: expected 0.0, got -0.5",
                    ],
                )
            ]
    result = NotebookResult("ada", name, name, spec.max_score)
    result.cells = cells
    page_path = tmp_path / "feedback.html"
    page_path.write_text(feedback.render_html(feedback.redact(nb, spec, result), result))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pg = context.new_page()
        pg.goto(page_path.as_uri())
        pg.wait_for_load_state("load")
        found = axe_audit.audit(pg)
    finally:
        context.close()
    axe_audit.save(f"feedback_{name}", {"feedback": found})
    serious = axe_audit.blocking(found)
    assert not serious, f"feedback page: {axe_audit.describe(serious)}"
    missing = axe_audit.unlisted("feedback", found)
    assert not missing, (
        f"feedback page: violations not listed in {axe_audit.REPORT.relative_to(ROOT)}: {missing} "
        f"({axe_audit.describe(found)})"
    )


def _active_cell(page) -> int:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex")


def _wait_idle(page, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(300)
        if page.evaluate(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'"
        ):
            return
    raise AssertionError("the kernel did not become idle")


def _cell_output_text(page, index: int) -> str:
    """What a screen reader finds in the cell's output area (the rendered DOM, not the model)."""
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea").inner_text()


def _type_answer(page, line: str) -> None:
    """In the active cell: edit mode, replace the last line's code (after its indentation), command mode."""
    page.keyboard.press("Enter")
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")  # CodeMirror: select back to the end of the indentation
    page.keyboard.type(line)
    page.keyboard.press("Escape")


def test_keyboard_only_completes_the_first_exercise_of_01(lab, page):
    """A student without a mouse: open the release notebook, move to the answer cell, type, run the cells
    down to the test, read its message, fix the answer, run again. Keys only; the page is read, not
    clicked."""
    _, _, course = lab
    name = NAMES[0]
    shutil.copy(course / "release" / name / f"{name}.ipynb", course / "work" / f"keyboard_{name}.ipynb")
    open_notebook(page, lab, f"work/keyboard_{name}.ipynb", collapse=False)
    ids = page.evaluate(
        "() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const ids = [];"
        " for (let i = 0; i < cells.length; i++) ids.push((cells.get(i).getMetadata('nbgrader') || {}).grade_id || '');"
        " return ids; }"
    )
    answer, tests = ids.index("neuron"), ids.index("neuron_tests")
    # Into the notebook with Tab, as from the page's top (JupyterLab's skip link, toolbars, then cells).
    for _ in range(80):
        inside = page.evaluate("() => !!document.activeElement.closest('.jp-Notebook')")
        if inside:
            break
        page.keyboard.press("Tab")
    assert inside, "Tab never reached the notebook"
    page.keyboard.press("Escape")  # command mode
    page.keyboard.press("Control+Home")  # JupyterLab: select the first cell
    assert _active_cell(page) == 0
    while _active_cell(page) < answer:  # run every cell above the answer (the setup cell among them)
        page.keyboard.press("Shift+Enter")
        _wait_idle(page)
    # A first try that forgets the ReLU: the test says what was expected and what came.
    _type_answer(page, "return float(np.dot(w, x)) + w0")
    while _active_cell(page) <= tests:
        page.keyboard.press("Shift+Enter")
        _wait_idle(page)
    message = _cell_output_text(page, tests)
    assert "below the threshold" in message and "AssertionError" in message, message[:1500]
    # Back up to the answer with the arrow keys, fix it, run down to the test again: it passes.
    while _active_cell(page) > answer:
        page.keyboard.press("ArrowUp")
    _type_answer(page, "return max(0.0, float(np.dot(w, x)) + w0)")
    while _active_cell(page) <= tests:
        page.keyboard.press("Shift+Enter")
        _wait_idle(page)
    assert "Error" not in _cell_output_text(page, tests), _cell_output_text(page, tests)[:1500]
    assert error_outputs(page) == [], error_outputs(page)


def test_missing_chromium_says_what_to_install(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium"):
        chromium()
