"""tools/strip.py: the @answer marks, the stubs that replace them, and what a notebook needs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap

import jupytext
import pytest

from helpers.exercise import answer, answers_of
from tests.nbtools import NAMES, ROOT
from tools import bundle, strip


def exercises() -> dict[str, set[str]]:
    """Each notebook's exercises: the functions its solution cells define."""
    found = {}
    for name in NAMES:
        nb = jupytext.read(ROOT / "notebooks" / f"{name}.py")
        found[name] = {
            node.name
            for cell in nb.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.FunctionDef)
        }
    return found


EXERCISES = exercises()
MARKS = strip.all_marks()


def test_every_notebook_has_exercises_and_the_library_answers_most_of_them():
    assert all(EXERCISES.values()), EXERCISES
    answered = {nb for m in MARKS for nb in m.notebooks}
    assert answered == set(NAMES) - {"03_argmin"}, answered  # 03's answers live only in the notebook


def test_no_stale_marks_every_mark_names_an_exercise_of_its_notebook():
    stale = [
        f"{m.name}: {nb} {ex}"
        for m in MARKS
        for nb, exs in m.marks
        for ex in exs
        if nb not in EXERCISES or ex not in EXERCISES[nb]
    ]
    assert not stale, f"marks naming no exercise (renamed or removed?): {stale}"


def test_library_functions_named_like_an_exercise_are_marked():
    """A helpers function or method called like an exercise is that exercise's answer, so it is marked.

    (Answers under other names, like losses.svm_loss for 04's hinge_loss, are marked by hand; this
    catches the ones a name gives away.)
    """
    names = set().union(*EXERCISES.values())
    unmarked = []
    for path in sorted((ROOT / "helpers").glob("*.py")):
        tree = ast.parse(path.read_text())
        for qualname, node in strip._functions(tree):
            if qualname.rsplit(".", 1)[-1] in names and not strip._marks(node):
                unmarked.append(f"helpers.{path.stem}.{qualname}")
    assert not unmarked, f"library functions named like an exercise but not marked @answer: {unmarked}"


def test_the_mark_records_itself_and_needs_an_exercise():
    @answer("02_activations", "relu", "relu_grad")
    @answer("07_backprop", "max_forward")
    def f(x):
        return x

    assert f(3) == 3
    assert answers_of(f) == [("07_backprop", ("max_forward",)), ("02_activations", ("relu", "relu_grad"))]
    with pytest.raises(ValueError, match="names no exercise"):
        answer("02_activations")


SOURCE = textwrap.dedent(
    '''\
    """A module."""
    import numpy as np

    from helpers.exercise import answer


    @answer("02_activations", "relu")
    def relu(x):
        """ReLU, elementwise."""
        # the secret
        return np.maximum(x, 0)


    class Net:
        @answer("08_cifar10", "two_layer_loss")
        @answer("07_backprop", "softmax_ce_loss_and_grads")
        def backprop(self, X):
            return X * 2


    def untouched(x):
        return x + 1
    '''
)


def test_strip_source_replaces_only_the_bodies_of_open_notebooks_answers():
    text, stubbed = strip.strip_source(SOURCE, "demo", ["02_activations"])
    assert stubbed == ["helpers.demo.relu"]
    assert "np.maximum" not in text and "the secret" not in text
    assert (
        '@answer("02_activations", "relu")\ndef relu(x):\n    """ReLU, elementwise."""\n    raise NotImplementedError('
        in text
    )
    assert "return X * 2" in text and "return x + 1" in text  # 07/08 are not open here
    # a function answering two notebooks is stubbed while either is open
    text, stubbed = strip.strip_source(SOURCE, "demo", ["07_backprop"])
    assert stubbed == ["helpers.demo.Net.backprop"] and "X * 2" not in text
    assert strip.strip_source(SOURCE, "demo", [])[0] == SOURCE  # nothing open: byte for byte


def test_strip_refuses_a_marked_one_liner():
    with pytest.raises(ValueError, match="lines of its own"):
        strip.strip_source(
            '@answer("02_activations", "relu")\ndef relu(x): return x\n', "demo", ["02_activations"]
        )


def body_lines(marked: strip.Marked, text: str) -> list[str]:
    """The reference body of a marked function (without its docstring), as stripped lines."""
    node = marked.node
    body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
    lines = text.splitlines()[body[0].lineno - 1 : node.end_lineno]
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]


@pytest.mark.parametrize("name", NAMES)
def test_stripped_helpers_hold_no_line_of_an_open_notebooks_answers(tmp_path, name):
    """Each body line of an open notebook's answer that is unique to it is gone from the stripped copy."""
    stubbed = strip.write_stripped_helpers(tmp_path, [name])
    own = [m for m in MARKS if name in m.notebooks]
    assert sorted(stubbed) == sorted(m.name for m in own)
    for m in own:
        original = (ROOT / "helpers" / f"{m.module}.py").read_text()
        shipped = (tmp_path / "helpers" / f"{m.module}.py").read_text()
        # lines that also occur elsewhere in the original (argument checks, `return out`) may stay
        unique = [ln for ln in body_lines(m, original) if original.count(ln) == 1 and len(ln) > 12]
        leaked = [ln for ln in unique if ln in shipped]
        assert not leaked, f"{m.name} ships lines of its answer with {name} open: {leaked}"
        assert f"released after {name}" in shipped


# Imports the stripped helpers (first on sys.path) and calls every marked function.
CALL_ALL = r"""
import importlib, inspect, json, sys
sys.path.insert(0, sys.argv[1])
report = {}
for name in json.loads(sys.argv[2]):
    module, _, qualname = name.removeprefix("helpers.").partition(".")
    obj = importlib.import_module(f"helpers.{module}")
    assert obj.__file__.startswith(sys.argv[1]), obj.__file__
    for part in qualname.split("."):
        obj = getattr(obj, part)
    fn = inspect.unwrap(obj)
    args = [None for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    kwargs = {p.name: None for p in inspect.signature(fn).parameters.values()
              if p.kind == p.KEYWORD_ONLY and p.default is p.empty}
    try:
        fn(*args, **kwargs)
        report[name] = ["returned", ""]
    except Exception as err:
        report[name] = [type(err).__name__, str(err)]
print(json.dumps(report))
"""


def test_every_stub_raises_a_clear_error_when_called(tmp_path):
    stubbed = strip.write_stripped_helpers(tmp_path, NAMES)
    assert sorted(stubbed) == sorted(m.name for m in MARKS)
    run = subprocess.run(
        [sys.executable, "-c", CALL_ALL, str(tmp_path), json.dumps(stubbed)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    by_name = {m.name: m for m in MARKS}
    for name, (kind, message) in report.items():
        assert kind == "NotImplementedError", f"{name}: {kind} {message}"
        assert message.startswith(f"{name} is the library's answer to "), message
        for nb in by_name[name].notebooks:
            assert nb in message and "is due" in message or "are due" in message, message


def needs(code: str) -> set[str]:
    return set(strip.needed_answers(textwrap.dedent(code)))


def test_needs_follow_helpers_own_calls_and_module_level_tables():
    assert needs("from helpers import activations as lib\nlib.relu(1.0)") == {"helpers.activations.relu"}
    # elu_backward calls elu_grad: needing the backward pass needs the derivative
    assert "helpers.activations.elu_grad" in needs(
        "from helpers.activations import elu_backward\nelu_backward(d, c)"
    )
    assert needs("from helpers.activations import elu_backward") == set()  # an import alone uses nothing
    # network.neuron looks the activation up in activations.ACTIVATIONS (a module-level table)
    found = needs("import helpers.network as net\nnet.neuron([1.0], [1.0], 0.0)")
    assert {"helpers.network.neuron", "helpers.activations.sigmoid", "helpers.activations.elu"} <= found
    assert needs("from helpers import plotting\nplotting.use_course_style()") == set()


def test_needs_skip_a_library_default_that_every_call_replaces():
    own = textwrap.dedent(
        """
        from helpers import models, train
        net = models.TwoLayerNet(4, 3, 2, rng=rng, loss_fn=two_layer_loss)
        train.sgd(net, X, y, rng=rng, step=sgd_momentum_step, metric=accuracy)
        net.predict(X)
        """
    )
    found = needs(own)
    assert "helpers.models._two_layer_scores" in found  # prediction: notebook 01's forward pass
    assert not {n for n in found if "two_layer_loss" in n or "backprop" in n or "step" in n}, found
    library = needs(
        "from helpers import models, train\nnet = models.TwoLayerNet(4, 3, 2, rng=rng)\ntrain.sgd(net, X, y, rng=rng)"
    )
    assert {
        "helpers.models.two_layer_loss",
        "helpers.train.momentum_step",
        "helpers.train._HeavyBall.step",
        "helpers.train.fraction_correct",
    } <= library
    # one call without the keyword is enough to need the default
    assert "helpers.train.momentum_step" in needs(own + "train.sgd(net, X, y, rng=rng)\n")


def test_needs_resolve_self_methods_within_the_class_family():
    """LinearSoftmax.loss calls self._backprop: that is _Linear._backprop, not TwoLayerNet's."""
    found = needs("from helpers import models\nm = models.LinearSoftmax(3, 2, rng=rng)\nm.loss(X, y)")
    assert "helpers.models._Linear._backprop" in found
    assert "helpers.models._two_layer_backprop" not in found


def test_needs_ignore_parameters_that_shadow_library_names():
    """grad_check_sparse(..., numerical_gradient=yours) calls its parameter, not gradients.numerical_gradient."""
    code = "from helpers import gradients\ngradients.grad_check_sparse(f, x, g, rng=rng, numerical_gradient=mine)"
    assert needs(code) == set()


@pytest.mark.parametrize("name", NAMES)
def test_release_notebooks_need_only_earlier_notebooks_answers(name):
    """What a released notebook's cells (tests included) use of the library is due before it."""
    used = strip.needed_answers(bundle.notebook_code(name)).values()
    too_early = {m.name: sorted(m.notebooks) for m in used if max(m.notebooks) >= name}
    assert not too_early, f"{name} uses the library's answers of itself or a later notebook: {too_early}"
