"""One ``ast.parse`` at a time per process, on CPythons whose AST converter is not thread-safe.

Before CPython 3.11.8 and 3.12.2 the converter from the parser's tree to ``ast`` objects kept its
recursion depth in interpreter-wide state (python/cpython#106905). Two threads converting at once (a
Dask worker's job stripping the helpers library while its event loop formats a traceback, which 3.11
does with ``ast.parse``) then fail with ``SystemError: AST constructor recursion depth mismatch``: a
grader error, and a student scored 0, for nothing the student did. ``install`` wraps ``ast.parse`` in
a re-entrant lock, so every caller that looks it up on the module (ours, ``traceback``, ``inspect``)
waits its turn; parsing is fast, the wait is short. From 3.11.8 and 3.12.2 on, the converter keeps
the depth per call (python/cpython#113035) and nothing is installed. This machine's Python is 3.11.7.
"""

import ast
import functools
import sys
import threading

_LOCK = threading.RLock()


def needed() -> bool:
    """True on interpreters whose AST converter shares its recursion depth between threads."""
    version = sys.version_info[:3]
    return version < (3, 11, 8) or (3, 12) <= version < (3, 12, 2)


def install() -> None:
    """Serialise ``ast.parse`` in this process (idempotent; nothing to do where not ``needed``)."""
    if not needed() or getattr(ast.parse, "serialised", False):
        return
    parse = ast.parse

    @functools.wraps(parse)
    def serialised_parse(*args, **kwargs):
        with _LOCK:
            return parse(*args, **kwargs)

    serialised_parse.serialised = True
    ast.parse = serialised_parse
