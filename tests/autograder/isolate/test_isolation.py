"""Issue 10, attacks 17-21, 24, 26 and 27: hostile hand-ins graded in one class with honest students.

One grading run (``python -m autograder grade class.zip``, a fresh process so that its peak RSS is its
own) of the sample course, the hand-ins as one zip archive:

* honest: b_perfect, b_wrong (square wrong on a hidden input), b_untouched: their exact scores;
* a20_forkbomb (first, so honest kernels run beside it): forks and holds about 240 processes;
* c17_scripts: ``<script>``, ``<iframe srcdoc>``, ``onerror``, ``Javascript()``, an SVG with a script,
  ``javascript:`` links, in outputs, in the markdown answer and in a raw cell;
* c18_stderr: 1000 x ``os.write(2, b'E' * 2**20)``; c19_flood: 40 cells of 4.8 MB images and
  199,000-character prints;
* c21_forkhog: nine forked children of 700 MB each under ``--memory 1536``;
* c24_long: a member name over 255 bytes; c24_clash: ``a2_double`` both a file and a folder;
* c26_escapes: an extra file whose name holds terminal escape codes;
* ``mallory,0,99\\nforged``: a student folder forging CSV rows.

Every attacker scores what an untouched notebook scores (0). A second run grades the honest
students alone: the grader's peak RSS with the attackers stays within 150 MB of it (printed).
Sizes are bounded so that a broken defence costs the shared machine at most about 7 GB for seconds.
"""

from __future__ import annotations

import csv
import html.parser
import zipfile
from pathlib import Path

import nbformat
import pytest

from tests.autograder.support import (
    A1,
    A2,
    HONEST,
    grade_cli,
    honest_notebooks,
    insert_after,
    make_course,
    need_sandbox,
    release,
    with_answers,
)

SCRIPTS = """\
from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML('<script>alert("xss17")</script><img src=x onerror=alert("xss17")>'
             '<iframe srcdoc="<script>alert(&quot;xss17&quot;)</script>"></iframe>'
             '<a href=" javascript:alert(&quot;xss17&quot;)">click</a>'))
display(Javascript('alert("xss17")'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert("xss17")</script></svg>'))
display(Markdown('<img src=x onerror=alert("xss17")> [x](javascript:alert("xss17"))'))
display({'text/html': '<svg onload=alert("xss17")></svg>', 'text/plain': 'svg'}, raw=True)
"""
SCRIPT_ANSWER = (
    '<script>alert("xss17")</script> <img src=x onerror=alert("xss17")> [click](javascript:alert("xss17"))'
)
STDERR = "import os\nfor _ in range(1000):\n    os.write(2, b'E' * 2**20)"
FLOOD_CELL = "display({'image/png': 'A' * 4_800_000}, raw=True)\nprint('x' * 199_000)"
FORKBOMB = """\
import os, time
held = 0
for _ in range(240):
    try:
        if os.fork() == 0:
            time.sleep(30)  # held; stops by itself if anything fails to kill it
            os._exit(0)
        held += 1
    except OSError:
        break
print('holding', held)
time.sleep(12)
"""
FORKHOG = """\
import os, time
kids = []
for _ in range(9):
    pid = os.fork()
    if pid == 0:
        try:
            b = bytearray(700 * 2**20)
            b[::4096] = b'x' * len(b[::4096])
            time.sleep(3)
        finally:
            os._exit(0)
    kids.append(pid)
print('exit codes', sorted(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids))
"""
ESCAPES = "\x1b]0;owned\x07\x1b[2J.txt"
FORGED = "mallory,0,99\nforged"


def nb_text(nb) -> str:
    return nbformat.writes(nb)


def honest_members(course: Path) -> dict[str, str]:
    return {f"{s}/{a}/{a}.ipynb": nb_text(nb) for (s, a), nb in honest_notebooks(course).items()}


def hostile_members(course: Path) -> dict[str, str]:
    u1, u2 = release(course, A1), release(course, A2)
    scripts = with_answers(insert_after(u1, "square", SCRIPTS), {"why": SCRIPT_ANSWER})
    scripts.cells.insert(0, nbformat.v4.new_raw_cell('<script>alert("xss17")</script>'))
    flood = nbformat.from_dict(u1)
    flood.cells[1:1] = [nbformat.v4.new_code_cell(FLOOD_CELL) for _ in range(40)]
    return {
        f"a20_forkbomb/{A2}/{A2}.ipynb": nb_text(insert_after(u2, "double", FORKBOMB)),
        f"c17_scripts/{A1}/{A1}.ipynb": nb_text(scripts),
        f"c18_stderr/{A2}/{A2}.ipynb": nb_text(insert_after(u2, "double", STDERR)),
        f"c19_flood/{A1}/{A1}.ipynb": nb_text(flood),
        f"c21_forkhog/{A2}/{A2}.ipynb": nb_text(insert_after(u2, "double", FORKHOG)),
        f"c24_long/{A1}/{'n' * 300}.ipynb": nb_text(u1),
        f"c24_long/{A2}/{A2}.ipynb": nb_text(u2),
        f"c24_clash/{A2}": "a file where the assignment folder must go",
        f"c24_clash/{A2}/{A2}.ipynb": nb_text(u2),
        f"c26_escapes/{A1}/{A1}.ipynb": nb_text(u1),
        f"c26_escapes/{A1}/{ESCAPES}": "x",
        f"{FORGED}/{A1}/{A1}.ipynb": nb_text(u1),
    }


def run_grader(course: Path, members: dict[str, str], work: Path) -> dict:
    archive = work / "class.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    out = work / "out"
    return grade_cli(
        archive, out, "--course", course, "--workers", "2", "--timeout", "30", "--memory", "1536"
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    need_sandbox()
    course = make_course(tmp_path_factory)
    honest = run_grader(course, honest_members(course), tmp_path_factory.mktemp("honest"))
    hostile = run_grader(
        course, {**honest_members(course), **hostile_members(course)}, tmp_path_factory.mktemp("hostile")
    )
    return {"honest": honest, "hostile": hostile}


def test_honest_students_keep_their_exact_scores_beside_every_attack(runs):
    for run in ("honest", "hostile"):
        got = {key: runs[run]["nbs"][key]["score"] for key in HONEST}
        assert got == HONEST, run
        for key in HONEST:
            assert runs[run]["nbs"][key]["problems"] == [], (run, key)


def test_every_attacker_scores_what_an_untouched_notebook_scores(runs):
    nbs = runs["hostile"]["nbs"]
    attackers = {k: v for k, v in nbs.items() if not k[0].startswith("b_")}
    assert {s for s, _ in attackers} == {
        "a20_forkbomb", "c17_scripts", "c18_stderr", "c19_flood", "c21_forkhog", "c24_long", "c24_clash", "c26_escapes"
    }  # fmt: skip
    for key, nb in attackers.items():
        assert nb["score"] == 0, (key, nb["problems"])


def test_fork_bomb_held_its_processes_and_hurt_nobody_else(runs):
    """Attack 20: one uid and one pids cgroup per sandbox; before, RLIMIT_NPROC of a shared uid."""
    out = runs["hostile"]["out"] / "autograded" / "a20_forkbomb" / A2 / f"{A2}.ipynb"
    text = "".join(
        o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])
    )
    held = int(text.split("holding ")[1].split()[0])
    print(f"fork bomb held {held} processes")
    assert held >= 200  # the attack really ran (the pids cap is 256 tasks, threads included)


def test_forked_children_share_one_memory_cap(runs):
    """Attack 21: 9 x 700 MB under --memory 1536; the cgroup caps the tree at 1536 + WORKER_MB."""
    from autograder.isolate.limits import WORKER_MB

    nb = runs["hostile"]["nbs"][("c21_forkhog", A2)]
    (memory,) = [p for p in nb["problems"] if p["kind"] == "memory"]
    killed = int(memory["detail"].split()[0])
    assert killed >= 5 and f"({1536 + WORKER_MB} MB for all its processes)" in memory["detail"]
    out = runs["hostile"]["out"] / "autograded" / "c21_forkhog" / A2 / f"{A2}.ipynb"
    text = "".join(
        o.get("text", "") for c in nbformat.read(out, as_version=4).cells for o in c.get("outputs", [])
    )
    assert text.count("-9") == killed, text


class _Active(html.parser.HTMLParser):
    """Collects whatever a browser would run: script bodies, frames, handlers, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        if tag in ("iframe", "frame", "object", "embed"):
            self.found.append(tag)
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or value.startswith("javascript:"):
                self.found.append(f"{tag} {name}={value}")

    def handle_data(self, data):
        if self._in_script and "xss17" in data:
            self.found.append(f"script {data[:80]}")

    def handle_endtag(self, tag):
        self._in_script = False


def test_nothing_active_reaches_the_feedback_or_formgrader(runs):
    """Attack 17: in the student's feedback page and in the autograded notebook formgrader shows."""
    out = runs["hostile"]["out"]
    page = (out / "feedback" / "c17_scripts" / A1 / f"{A1}.html").read_text()
    parser = _Active()
    parser.feed(page)
    assert parser.found == []
    assert "xss17" in page  # the attempt is visible as text, for the instructor to see
    nb = nbformat.read(out / "autograded" / "c17_scripts" / A1 / f"{A1}.ipynb", as_version=4)
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = []  # what a browser gets from each cell and output, rendered the way nbconvert does
    for cell in nb.cells:
        if cell.cell_type != "code":
            rendered.append(
                markdown2html_mistune(cell.source) if cell.cell_type == "markdown" else cell.source
            )
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            assert set(data) <= {"text/plain", "text/html", "text/markdown", "image/png"}, o
            rendered += [data.get("text/html", ""), markdown2html_mistune(data.get("text/markdown", ""))]
    parser = _Active()
    parser.feed("\n".join(rendered))
    assert parser.found == []
    assert "&lt;script" in nb.cells[0].source  # the raw cell, shown as text


def test_flooding_output_is_cut_per_notebook_and_the_grader_stays_flat(runs):
    """Attacks 18 and 19: 1 GB on stderr, 190 MB of images and 8 MB of prints."""
    out = runs["hostile"]["out"]
    nb = out / "autograded" / "c19_flood" / A1 / f"{A1}.ipynb"
    page = out / "feedback" / "c19_flood" / A1 / f"{A1}.html"
    flood = runs["hostile"]["nbs"][("c19_flood", A1)]
    assert "output_truncated" in {p["kind"] for p in flood["problems"]}
    honest_rss = runs["honest"]["report"]["grader_peak_rss_mb"]
    hostile_rss = runs["hostile"]["report"]["grader_peak_rss_mb"]
    print(
        f"autograded flood notebook {nb.stat().st_size / 1e6:.1f} MB, its feedback {page.stat().st_size / 1e6:.1f} MB; "
        f"grader peak RSS: honest class alone {honest_rss} MB, with every attack {hostile_rss} MB"
    )
    assert nb.stat().st_size < 12e6 and page.stat().st_size < 12e6  # budget 10 M characters per notebook
    assert hostile_rss < honest_rss + 150


def test_bad_archive_members_are_problems_of_their_submission(runs):
    """Attack 24: a name over 255 bytes, x and x/y; the run goes on and says what happened."""
    nbs = runs["hostile"]["nbs"]
    long = nbs[("c24_long", A1)]
    assert long["status"] == "missing"
    assert any(p["kind"] == "intake" and "File name too long" in p["detail"] for p in long["problems"])
    clash = nbs[("c24_clash", A2)]
    assert any(p["kind"] == "intake" and "could not be extracted" in p["detail"] for p in clash["problems"])
    assert nbs[("c24_long", A2)]["problems"] == []  # the same student's other assignment is untouched


def test_no_control_character_reaches_the_terminal_and_no_row_is_forged(runs):
    """Attacks 26 and 27."""
    hostile = runs["hostile"]
    for stream in (hostile["stdout"], hostile["stderr"]):
        assert not any(ord(ch) < 32 and ch not in "\n" for ch in stream), repr(stream[-500:])
    assert "c26_escapes/a1_squares/\\x1b]0;owned\\x07\\x1b[2J.txt: extra file ignored" in hostile["stderr"]
    assert "'mallory,0,99\\nforged': not graded, not a valid student id" in hostile["stderr"]
    rows = list(csv.reader((hostile["out"] / "grades.csv").open(newline="")))
    assert all(len(r) == 12 for r in rows)  # nbgrader's 11 columns and problems
    assert not any(ord(ch) < 32 for r in rows for ch in r[11])  # file names in problems are escaped too
    students = {r[3] for r in rows[1:]}
    assert students == {s for s, _ in hostile["nbs"]} and not any(
        "mallory" in s or "forged" in s for s in students
    )


def test_without_cgroups_the_grader_warns_before_grading(monkeypatch, tmp_path):
    from autograder import grade
    from autograder.isolate import cgroups, limits

    need_sandbox()
    reason = "cgroup v2 at /sys/fs/cgroup has no memory controller; cgroup v1 lacks memory"
    monkeypatch.setattr(cgroups, "cgroups", lambda: reason)
    logged = []
    with pytest.raises(grade.GraderError, match="no assignments"):
        grade.grade(tmp_path, tmp_path / "out", course_root=tmp_path, progress=False, log=logged.append)
    assert logged == [f"warning: {cgroups.isolation_notice(reason)}"]
    assert cgroups.Confinement(limits.Limits(), reason).command(["bwrap"]) == ["bwrap"]
