"""The ast.parse guard: the CPython race it exists for is real here, and the guard removes it."""

import ast
import subprocess
import sys

from autograder.run import astguard
from tests.nbtools import ROOT

# Four threads parse a large module while the garbage collector runs finalizers written in Python,
# which lets another thread take the GIL in the middle of a conversion. Prints the SystemErrors seen.
HAMMER = """
import ast, sys, threading
import autograder.run  # installs the guard
parse = ast.parse if sys.argv[1] == "guarded" else getattr(ast.parse, "__wrapped__", ast.parse)
source = "\\n".join(f"def f{i}(x):\\n    return [(a, b) for a in range(x) for b in {{k: v for k, v in 'ab'}}]"
                    for i in range(300))

class Finalized:
    def __del__(self):
        sum(range(50))

errors = []

def work():
    for _ in range(60):
        junk = [Finalized() for _ in range(50)]
        for item in junk:
            item.cycle = item  # freed by the collector, during someone's parse
        del junk
        try:
            parse(source)
        except SystemError as err:
            errors.append(str(err))

sys.setswitchinterval(1e-6)
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(errors), errors[:1])
"""


def hammer(mode: str) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-c", HAMMER, mode], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=True)  # fmt: skip
    count, _, first = done.stdout.strip().partition(" ")
    return int(count), first


def test_the_guard_is_installed_exactly_where_the_interpreter_races():
    assert astguard.needed() == (
        sys.version_info[:3] < (3, 11, 8) or (3, 12) <= sys.version_info[:3] < (3, 12, 2)
    )
    assert getattr(ast.parse, "serialised", False) == astguard.needed()
    before = ast.parse
    astguard.install()  # idempotent: no second wrapper
    assert ast.parse is before
    raw = getattr(ast.parse, "__wrapped__", ast.parse)
    assert ast.dump(ast.parse("f(x)", mode="eval")) == ast.dump(raw("f(x)", mode="eval"))


def test_threads_parsing_at_once_fail_without_the_guard_and_not_with_it():
    # a race: each unguarded round here met it 10-22 times; up to five rounds, so a quiet one cannot fail the test
    for _ in range(5 if astguard.needed() else 1):
        unguarded, message = hammer("raw")
        if unguarded:
            break
    if astguard.needed():  # the race this guard is for, reproduced on this interpreter
        assert unguarded > 0 and "AST constructor recursion depth mismatch" in message
    else:
        assert unguarded == 0, message
    assert hammer("guarded") == (0, "[]")
