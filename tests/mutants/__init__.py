"""The catalogue of wrong answers real students write, one module per notebook (``m04_losses.py``).

Each module holds ``MUTANTS``, a list of :class:`Mutant`: for one answer cell (``exercise``, its
grade_id), code that redefines one of its functions wrongly, whether the mistake is ``common`` (then
the visible tests must catch it at Validate), the words the failure message must contain and the words
it must not contain (``forbid``: the wrong diagnosis a generic check would give, e.g. "np.exp" for an
exercise without an exponential). Its
``PASSING`` list holds correct alternatives the prompt allows (a loop where no vectorisation is asked,
float32 where either dtype is fine): every test cell must pass them.

``tests/test_mutants.py`` runs the catalogue (see ``tests/mutants/run.py``); README.md's instructor's
guide says how to add an entry when a student finds a new way to be wrong.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    exercise: str  # grade_id of the answer cell
    name: str  # what the student did, in a few words
    code: str  # redefines one function of that cell (run after the correct cell)
    common: bool = True  # common mistakes must fail the visible tests (Validate)
    expect: tuple[str, ...] = ()  # words the failure message must contain (case-insensitive)
    # grade_id of an ungraded check cell that catches it instead of a graded test: a property only the
    # student's own kernel can show (the grader calls the function on copies); it must fail that cell
    # with its words, visible to the student, and costs no points
    taught: str = ""
    forbid: tuple[str, ...] = ()  # words it must not contain: a hint that names the wrong mistake


@dataclass(frozen=True)
class Passing:
    exercise: str
    name: str
    code: str


def catalogue(name: str) -> tuple[list[Mutant], list[Passing]]:
    """``(MUTANTS, PASSING)`` of notebook ``name`` (e.g. ``"04_losses"``)."""
    module = importlib.import_module(f"tests.mutants.m{name}")
    return list(module.MUTANTS), list(getattr(module, "PASSING", []))
