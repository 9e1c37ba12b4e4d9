"""The course in a real browser: JupyterLab + Debian's chromium driven by playwright.

One JupyterLab server on a loopback port with a token serves a temporary copy of the course (its
state folders inside the project, not HOME).  For each notebook a copy of the instructor version is
opened, run top to bottom, checked for error output and browser console errors, one explorer is
moved and must change what it shows, and screenshots go to artifacts/screenshots/ (ignored by git).
nbgrader's Validate button and formgrader are checked on the same server.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.nbtools import NAMES, ROOT, release_path, source_path

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
# Console noise that is not the course's doing (JupyterLab probing optional endpoints).
IGNORED_CONSOLE = ("favicon", "lab/api/translations", "api/lsp", "[LSP]", "api/news", "lab/api/listings")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab on a temporary course; yields (base_url, token, course_root)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: `apt-get install -y chromium` (.ci/run does it)")
    course = tmp_path_factory.mktemp("course")
    for kind in ("source", "release"):
        shutil.copytree(ROOT / kind, course / kind)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    from tools import build

    build.build_release(NAMES, course)  # the formgrader's gradebook, as after `make release`
    work = course / "work"
    work.mkdir()
    for name in NAMES:
        shutil.copy(source_path(name), work / f"{name}.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    state = ROOT / ".state"
    env = dict(os.environ)
    env.pop("NN_BASICS_CIFAR10", None)  # 08 falls back to the shipped sample: fast, and tests that path
    env.pop("NBGRADER_EXECUTION", None)
    env.update(
        JUPYTER_CONFIG_DIR=str(state / "jupyter" / "config"),
        JUPYTER_DATA_DIR=str(state / "jupyter" / "data"),
        JUPYTER_RUNTIME_DIR=str(state / "jupyter" / "runtime-browser"),
        JUPYTERLAB_WORKSPACES_DIR=str(course / ".workspaces"),
        IPYTHONDIR=str(state / "ipython"),
        MPLCONFIGDIR=str(state / "matplotlib"),
        JUPYTER_PLATFORM_DIRS="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    log = open(course / "lab.log", "w")  # noqa: SIM115 (closed at teardown)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={course}",
            "--LabApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False",
        ],
        cwd=course,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(course / 'lab.log').read_text()[-3000:]}")
            time.sleep(0.5)
    try:
        yield base, token, course
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.console_errors = []
    pg.on(
        "console",
        lambda m: (
            m.type == "error"
            and not any(s in (m.text + str(m.location)) for s in IGNORED_CONSOLE)
            and pg.console_errors.append(m.text)
        ),
    )
    pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
    yield pg
    context.close()


def open_notebook(page, lab, relpath: str) -> None:
    base, token, _ = lab
    page.goto(f"{base}/lab/tree/{relpath}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel"
        " && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=60_000,
    )


def run_all(page, timeout_s: int = 240) -> None:
    page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
    # Done when every code cell has an execution count and the kernel is idle again.
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const cells = w.content.model.cells; let ok = true;"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i);"
        "   if (c.type === 'code' && c.sharedModel.getSource().trim() && !c.executionCount) ok = false; }"
        " return ok && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=timeout_s * 1000,
        polling=500,
    )


def error_outputs(page) -> list[str]:
    """Error and stderr outputs of the current notebook, read from its model."""
    return page.evaluate(
        "() => { const cells = window.jupyterapp.shell.currentWidget.content.model.cells; const errs = [];"
        " for (let i = 0; i < cells.length; i++) { const c = cells.get(i); if (c.type !== 'code') continue;"
        "   const outs = c.outputs.toJSON();"
        "   for (const o of outs) { if (o.output_type === 'error') errs.push(`cell ${i}: ${o.ename}: ${o.evalue}`);"
        "     if (o.output_type === 'stream' && o.name === 'stderr') errs.push(`cell ${i} stderr: ${o.text}`); } }"
        " return errs; }"
    )


def explorer_state(cell) -> str:
    """What an explorer shows: its images and texts (not the controls themselves)."""
    return cell.evaluate(
        "el => Array.from(el.querySelectorAll('.widget-output img, .jp-OutputArea-output img'))"
        ".map(i => i.src.length + ':' + i.src.slice(-200)).join('|') + '#' +"
        " Array.from(el.querySelectorAll('.widget-output pre, .widget-html-content'))"
        ".map(e => e.innerText).join('|')"
    )


def poke_explorer(page) -> bool:
    """Move the first slider (or dropdown) of the first explorer; True when its display changed."""
    cells = page.locator(".jp-Cell:has(.jupyter-widgets.widget-container, .jupyter-widgets.widget-box)")
    if cells.count() == 0:
        return False
    cell = cells.first
    cell.scroll_into_view_if_needed()
    before = explorer_state(cell)
    handle = cell.locator(".widget-slider .noUi-handle, .jupyter-widget-slider .noUi-handle").first
    if handle.count():
        handle.focus()
        for _ in range(3):
            handle.press("ArrowRight")
    else:
        select = cell.locator("select").first
        options = select.locator("option")
        select.select_option(index=min(1, options.count() - 1))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        if explorer_state(cell) != before:
            return True
    return False


def screenshots(page, name: str, count: int = 4) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.jupyterapp.shell.currentWidget.content.node.scrollTop = 0")
    for i in range(count):
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"{name}_{i}.png"))
        page.evaluate(
            "() => { const n = window.jupyterapp.shell.currentWidget.content.node; n.scrollTop += n.clientHeight * 0.9; }"
        )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_in_jupyterlab(lab, page, name):
    open_notebook(page, lab, f"work/{name}.ipynb")
    page.evaluate("window.jupyterapp.commands.execute('editmenu:clear-all')")
    run_all(page)
    errors = error_outputs(page)
    assert not errors, f"{name}: error output in the browser: {errors[:3]}"
    assert poke_explorer(page), f"{name}: no explorer responded to its control"
    screenshots(page, name)
    assert not page.console_errors, f"{name}: browser console errors: {page.console_errors[:5]}"


def click_validate(page) -> str:
    page.locator(".validate-button").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".validation-success, .validation-failed, .validation-error").first.wait_for(
        timeout=180_000
    )
    return dialog.inner_html()


def test_validate_button_reports_failures_on_untouched_release(lab, page):
    _, _, course = lab
    name = NAMES[0]
    shutil.copy(release_path(name), course / "work" / f"validate_release_{name}.ipynb")
    open_notebook(page, lab, f"work/validate_release_{name}.ipynb")
    html = click_validate(page)
    assert "validation-failed" in html and "The following cell failed" in html
    assert "NotImplementedError" in html


def test_validate_button_succeeds_with_solutions(lab, page):
    _, _, course = lab
    name = NAMES[0]
    shutil.copy(source_path(name), course / "work" / f"validate_solved_{name}.ipynb")
    open_notebook(page, lab, f"work/validate_solved_{name}.ipynb")
    html = click_validate(page)
    assert "Success! Your notebook passes all the tests." in html


def test_formgrader_lists_the_eight_assignments(lab, page):
    base, token, _ = lab
    page.goto(f"{base}/formgrader/manage_assignments?token={token}")
    page.wait_for_selector("#main-table", timeout=60_000)
    page.wait_for_function(f"() => document.querySelectorAll('#main-table tbody tr').length >= {len(NAMES)}")
    text = page.locator("#main-table").inner_text()
    for name in NAMES:
        assert name in text, f"formgrader does not list {name}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "formgrader.png"))
