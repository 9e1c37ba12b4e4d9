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
    # the builder drops it: it is the state of one build's explorers, megabytes that nobody reopens;
    # without it a stored widget view would point at a model that does not exist
    for folder in ("source", "release"):
        for name in build.notebook_names():
            nb = nbformat.read(str(build.ROOT / folder / name / f"{name}.ipynb"), as_version=4)
            assert "widgets" not in nb.metadata, f"{folder}/{name}: rebuild with make source NB={name}"
            views = [
                o for c in nb.cells for o in c.get("outputs", []) if build.WIDGET_VIEW in o.get("data", {})
            ]
            assert not views, f"{folder}/{name}: rebuild with make source NB={name}"


def test_settle_outputs_stores_explorers_as_a_note_and_joins_split_prints():
    new_output = nbformat.v4.new_output
    cell = nbformat.v4.new_code_cell("display(explorer()); print('a'); print('b')")
    cell.outputs = [
        new_output(
            "display_data", data={build.WIDGET_VIEW: {"model_id": "f00"}, "text/plain": "Explorer(...)"}
        ),
        new_output("stream", name="stdout", text="a\n"),
        new_output("stream", name="stdout", text="b\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="c\n"),
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("text"), cell])
    build.settle_outputs(nb)
    outs = nb.cells[1].outputs
    assert outs[0].data == {"text/plain": build.EXPLORER_NOTE}
    assert [(o.name, o.text) for o in outs[1:]] == [
        ("stdout", "a\nb\n"),
        ("stderr", "warning\n"),
        ("stdout", "c\n"),
    ]


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
