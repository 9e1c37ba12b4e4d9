"""The mark on library code that answers an exercise: ``@answer("02_activations", "sigmoid")``.

The library holds the reference answer of many exercises (``activations.sigmoid`` is notebook 02's
``sigmoid``; ``losses.svm_loss`` computes 04's ``hinge_loss`` under another name).  Every such
function or method carries this mark, naming the notebook and the exercises (the functions that
the notebook's solution cells define) whose answer it holds; a function answering exercises of two
notebooks carries two marks.  ``tools/strip.py`` reads the marks from the source text and ships a
stub in their place (same signature, mark and docstring; the body raises ``NotImplementedError``)
for every notebook still open: the student bundle and the grading sandbox never hold the answer
of a notebook before it is due.  At run time the mark only records itself on the function.
"""

from __future__ import annotations

__all__ = ["answer", "answers_of"]


def answer(notebook: str, *exercises: str):
    """Mark the decorated function as the answer to ``exercises`` of ``notebook`` (e.g. "02_activations")."""
    if not exercises:
        raise ValueError(f"@answer({notebook!r}) names no exercise: name the functions it answers")

    def mark(fn):
        fn.__dict__.setdefault("__answers__", []).append((notebook, exercises))
        return fn

    return mark


def answers_of(fn) -> list[tuple[str, tuple[str, ...]]]:
    """The ``(notebook, exercises)`` marks of ``fn`` (empty when it answers no exercise)."""
    return list(getattr(fn, "__answers__", []))
