"""Release stubs that say which exercise to do: an nbgrader preprocessor for ``generate_assignment``.

nbgrader replaces each solution with ``raise NotImplementedError()``, so Run All on an untouched
notebook stops at the first "try it" cell with a bare ``NotImplementedError:`` and no hint.  After
``ClearSolutions``, :class:`NameExerciseStubs` gives every stub inside a function the function's name:

    raise NotImplementedError("Exercise neuron is not written yet: replace this line with your code, ...")

It runs before ``ComputeChecksums`` and ``SaveCells``, so the release, its checksums and the gradebook
agree.  nbgrader_config.py and ``tools.build.build_release`` both use
:func:`generate_assignment_preprocessors`, so plain ``nbgrader generate_assignment`` and ``make release``
write the same release/.
"""

from __future__ import annotations

import re

from nbgrader import utils
from nbgrader.preprocessors import ClearSolutions, NbGraderPreprocessor

STUB = re.compile(r"^(?P<indent>[ \t]+)raise NotImplementedError\(\)[ \t]*$")
DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+(?P<name>\w+)[ \t]*\(")


def message(name: str) -> str:
    """What the stub of exercise ``name`` says when it is called."""
    return (
        f"Exercise {name} is not written yet: replace this line with your code, "
        f"run the cell that defines {name}, then run this cell again."
    )


def name_stubs(source: str) -> str:
    """``source`` with each bare ``raise NotImplementedError()`` inside a ``def`` naming that function.

    A stub outside any function, or already carrying a message, is left as it is.
    """
    lines = source.split("\n")
    defs: list[tuple[int, str]] = []  # (indent width, name) of the enclosing functions
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        width = len(line) - len(line.lstrip())
        while defs and width <= defs[-1][0]:
            defs.pop()
        match = DEF.match(line)
        if match:
            defs.append((len(match["indent"]), match["name"]))
            continue
        stub = STUB.match(line)
        if stub and defs:
            lines[i] = f'{stub["indent"]}raise NotImplementedError("{message(defs[-1][1])}")'
    return "\n".join(lines)


class NameExerciseStubs(NbGraderPreprocessor):
    """Give every solution cell's ``raise NotImplementedError()`` stub its exercise's name."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_solution(cell):
            cell.source = name_stubs(cell.source)
        return cell, resources


def generate_assignment_preprocessors() -> list[type]:
    """nbgrader's own ``GenerateAssignment.preprocessors`` with :class:`NameExerciseStubs` after ``ClearSolutions``."""
    from nbgrader.converters import GenerateAssignment

    default = list(GenerateAssignment.class_traits()["preprocessors"].default())
    at = default.index(ClearSolutions) + 1
    return [*default[:at], NameExerciseStubs, *default[at:]]
