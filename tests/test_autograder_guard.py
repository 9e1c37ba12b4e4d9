"""autograder.guard: monkeypatching in the student's kernel is undone before every graded test.

Runs the init cell, a cheating cell, the guard cell and a few checks in an IPython shell in a child
process (so this test process is never patched).
"""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat

from autograder import guard

CHEATS = r"""
import ast, builtins, sys, types, numpy, numpy.testing
import helpers.testing
numpy.testing.assert_allclose = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
helpers.testing.assert_close = lambda *a, **k: None
helpers.testing.check_own_work.__code__ = (lambda fn, *a, **k: fn(*a, **k)).__code__
builtins.abs = lambda x: 0.0
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
get_ipython().events.register("pre_run_cell", lambda *a: print("hooked"))
np = types.ModuleType("numpy"); np.testing = types.SimpleNamespace(assert_allclose=lambda *a, **k: None)
testing = types.SimpleNamespace(assert_close=lambda *a, **k: None)
sys.modules["numpy.testing"] = types.SimpleNamespace()
print("All tests passed!")
"""

CHECKS = {
    "np_testing": "np.testing.assert_allclose(1.0, 2.0)",
    "np_allclose": "assert not np.allclose(1.0, 2.0)",
    "helpers_assert": "testing.assert_close(1.0, 2.0)",
    "abs": "assert abs(-2) == 2",
    "plain_assert": "assert False, 'asserts run again'",
    "check_own_work_code": "assert testing.check_own_work.__code__.co_name == 'check_own_work'",
}

SCRIPT = r"""
import json, sys
from IPython.core.interactiveshell import InteractiveShell
init, cheats, guard, checks = json.loads(sys.stdin.read())
sh = InteractiveShell.instance()
results = {"init": sh.run_cell(init).success, "cheats": sh.run_cell(cheats).success}
for name, code in checks.items():
    results["guard_" + name] = sh.run_cell(guard).success
    r = sh.run_cell(code)
    results[name] = type(r.error_in_exec).__name__ if r.error_in_exec else "ok"
print("RESULT" + json.dumps(results))
"""


def test_guard_undoes_monkeypatching_before_tests():
    job = json.dumps([guard.INIT_SOURCE, CHEATS, guard.GUARD_SOURCE, CHECKS])
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], input=job, capture_output=True, text=True, timeout=120
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT"))
    r = json.loads(line[len("RESULT") :])
    assert r["init"] and r["cheats"]
    assert all(r[k] for k in r if k.startswith("guard_")), r
    assert r["np_testing"] == "AssertionError"  # the real numpy.testing judges again
    assert r["np_allclose"] == "ok"
    assert r["helpers_assert"] == "AssertionError"
    assert r["abs"] == "ok"
    assert r["plain_assert"] == "AssertionError"  # the AST transformer is gone
    assert r["check_own_work_code"] == "ok"
    # the student's pre_run_cell hook fires once, for the first guard cell, and never again
    assert proc.stdout.count("hooked") == 1


def test_instrument_adds_init_and_one_guard_per_test_and_strip_removes_them():
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("assert f() == 1")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    nb.cells = [nbformat.v4.new_code_cell("def f(): return 1"), test]
    out = guard.instrument(nb)
    assert [guard.role(c) for c in out.cells] == ["init", None, "guard", None]
    assert out.cells[2].metadata["autograder"]["grade_id"] == "t"
    assert guard.strip(out).cells == nb.cells
