"""The build pipeline: committed source/ and release/ match what notebooks/ builds."""

from __future__ import annotations

import nbformat
import pytest

from tools import build


def test_every_notebook_has_source_and_release():
    for name in build.notebook_names():
        assert (build.ROOT / "source" / name / f"{name}.ipynb").exists(), f"run make source NB={name}"
        assert (build.ROOT / "release" / name / f"{name}.ipynb").exists(), f"run make release NB={name}"


def test_the_eight_notebooks_are_in_course_order():
    assert build.notebook_names() == [
        "01_architecture",
        "02_activations",
        "03_argmin",
        "04_losses",
        "05_regularization",
        "06_gradients",
        "07_backprop",
        "08_cifar10",
    ]


def test_committed_notebooks_carry_no_widget_state():
    # the builder drops it: it is the state of one build's explorers, megabytes that nobody reopens
    for folder in ("source", "release"):
        for name in build.notebook_names():
            nb = nbformat.read(str(build.ROOT / folder / name / f"{name}.ipynb"), as_version=4)
            assert "widgets" not in nb.metadata, f"{folder}/{name}: rebuild with make source NB={name}"


@pytest.mark.slow
def test_committed_builds_are_fresh():
    problems = build.stale()
    assert not problems, "\n".join(problems)


def test_read_notebook_gives_stable_ids_and_clean_metadata():
    name = build.notebook_names()[0]
    first, second = build.read_notebook(name), build.read_notebook(name)
    assert [c.id for c in first.cells] == [c.id for c in second.cells]
    assert len({c.id for c in first.cells}) == len(first.cells)
    assert "jupytext" not in first.metadata
    assert all("lines_to_next_cell" not in c.metadata for c in first.cells)


def test_unknown_notebook_name_is_a_clear_error():
    with pytest.raises(SystemExit, match="unknown notebook"):
        build.notebook_names(["99_nope"])
