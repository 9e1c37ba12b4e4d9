"""Tests for helpers.testing: student-facing assertion messages and the anti-delegation guard."""

import functools
import math
import sys
import textwrap

import numpy as np
import pytest

from helpers import testing


def message_of(fn, *args, **kwargs):
    with pytest.raises(AssertionError) as info:
        fn(*args, **kwargs)
    return str(info.value)


# ---------------------------------------------------------------------------------------------------
# assert_shape
# ---------------------------------------------------------------------------------------------------
def test_assert_shape_passes_and_accepts_wildcards():
    testing.assert_shape(np.zeros((4, 3)), (4, 3), "scores")
    testing.assert_shape(np.zeros((7, 3)), (None, 3), "scores")


def test_assert_shape_transposed():
    msg = message_of(testing.assert_shape, np.zeros((3, 4)), (4, 3), "scores")
    assert msg.splitlines()[0] == "scores has the wrong shape."
    assert "(4, 3)" in msg and "(3, 4)" in msg
    assert "transposed" in msg


def test_assert_shape_missing_keepdims_and_scalar():
    msg = message_of(testing.assert_shape, np.zeros(5), (5, 1), "row_max")
    assert "keepdims" in msg
    msg = message_of(testing.assert_shape, np.float64(2.0), (5,), "losses")
    assert "axis=" in msg


def test_assert_shape_none_and_list():
    msg = message_of(testing.assert_shape, None, (2, 2), "out")
    assert msg.startswith("out is None.") and "return" in msg
    msg = message_of(testing.assert_shape, [[1, 2], [3, 4]], (2, 2), "out")
    assert "list" in msg and "NumPy" in msg


# ---------------------------------------------------------------------------------------------------
# assert_dtype
# ---------------------------------------------------------------------------------------------------
def test_assert_dtype():
    testing.assert_dtype(np.zeros(3, np.float32), np.float32)
    testing.assert_dtype(np.zeros(3, np.float32), np.floating)
    msg = message_of(testing.assert_dtype, np.zeros(3, np.int64), np.floating, "probs")
    assert msg.startswith("probs has the wrong dtype.") and "int64" in msg and "astype" in msg
    msg = message_of(testing.assert_dtype, np.zeros(3), np.float32, "X")
    assert "float32" in msg and "float64" in msg
    msg = message_of(testing.assert_dtype, np.zeros(3), np.integer, "y_pred")
    assert "argmax" in msg
    msg = message_of(testing.assert_dtype, np.array([True, False]), np.floating, "relu_grad(x)")
    assert "boolean" in msg and "astype" in msg


# ---------------------------------------------------------------------------------------------------
# assert_close
# ---------------------------------------------------------------------------------------------------
def test_assert_close_passes(rng):
    x = rng.standard_normal((3, 4))
    testing.assert_close(x + 1e-9, x, name="x")
    testing.assert_close(2.04, 2.0400000001, name="loss")


def test_assert_close_none_and_not_implemented():
    msg = message_of(testing.assert_close, None, 1.0, name="loss")
    assert msg.startswith("loss is None.") and "return" in msg
    msg = message_of(testing.assert_close, NotImplemented, 1.0, name="loss")
    assert "not implemented" in msg


def test_assert_close_shape_and_transpose(rng):
    x = rng.standard_normal((3, 4))
    msg = message_of(testing.assert_close, x.T, x, name="scores")
    assert msg.startswith("scores has the wrong shape.") and "transposed" in msg
    square = rng.standard_normal((3, 3))
    msg = message_of(testing.assert_close, square.T, square, name="W")
    assert "transpose" in msg


def test_assert_close_nan():
    msg = message_of(testing.assert_close, np.array([1.0, np.nan, 0.5]), np.array([1.0, 0.2, 0.5]), name="p")
    assert "NaN" in msg and "exp" in msg


def test_assert_close_sign_flipped(rng):
    g = rng.standard_normal(5)
    msg = message_of(testing.assert_close, -g, g, name="grad")
    assert "sign is flipped" in msg


def test_assert_close_factor_two_and_n(rng):
    g = rng.standard_normal((4, 3))
    msg = message_of(testing.assert_close, 2 * g, g, name="dW")
    assert "got/expected = 2 = 2:" in msg and "1/2" in msg
    msg = message_of(testing.assert_close, 0.5 * g, g, name="dW")
    assert "got/expected = 0.5 = 1/2" in msg
    msg = message_of(testing.assert_close, 50 * g, g, name="loss")
    assert "50 times too large" in msg
    # no cause is guessed for a whole factor that is none of the sizes given (no evidence for a 1/N)
    assert "1/N" not in msg and "mean" not in msg
    msg = message_of(testing.assert_close, 0.1 * g, g, name="loss", sizes={"N": 6})
    assert "10 times too small" in msg and "N" not in msg.split("likely mistake:")[1].split("(")[0]


def test_assert_close_nearly_right_has_no_factor_hint(rng):
    # a forward difference: off by a factor 1.00001, a precision problem, not "a missing constant"
    g = rng.uniform(1.0, 2.0, size=5)
    msg = message_of(testing.assert_close, g * (1 + 2e-5), g, name="grad", rtol=1e-7)
    assert "constant factor" not in msg and "got/expected" not in msg


def test_assert_close_names_a_mistake_the_test_worked_out(rng):
    X, W, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    mistakes = {"the bias b is missing (X @ W alone).": X @ W, "b added twice.": X @ W + 2 * b}
    msg = message_of(testing.assert_close, X @ W, X @ W + b, name="A", mistakes=mistakes)
    assert "likely mistake: the bias b is missing" in msg
    msg = message_of(testing.assert_close, X @ W + 2 * b, X @ W + b, name="A (the bias?)", mistakes=mistakes)
    assert "b added twice" in msg and "asks about" not in msg
    # an inf the test expects from one mistake is named as that mistake, not as an overflow in np.exp
    msg = message_of(
        testing.assert_scalar, np.inf, "lambda", expected=1.0, mistakes={"w where |w| is asked.": np.inf}
    )
    assert "|w|" in msg and "np.exp" not in msg
    # a mistake with another shape names itself in the shape message
    msg = message_of(
        testing.assert_close, np.ones(3), np.ones((3, 1)), name="p", mistakes={"no keepdims.": np.ones(3)}
    )
    assert "wrong shape" in msg and "no keepdims" in msg
    # no match: the generic diagnosis
    msg = message_of(testing.assert_close, -(X @ W + b), X @ W + b, name="A", mistakes=mistakes)
    assert "sign is flipped" in msg and "bias" not in msg


def test_assert_close_log10_vs_ln():
    probs = np.array([0.13, 0.89, 0.0021])
    expected = -np.log(probs)
    msg = message_of(testing.assert_close, -np.log10(probs), expected, name="cross_entropy")
    assert "np.log10" in msg and "0.4343 = 1/ln(10)" in msg
    msg = message_of(testing.assert_close, -np.log2(probs), expected, name="cross_entropy")
    assert "np.log2" in msg
    # the scalar case reports the ratio as well
    msg = message_of(testing.assert_close, float(-np.log10(0.13)), float(-np.log(0.13)), name="loss")
    assert "1/ln(10)" in msg and msg.splitlines()[0] == "loss is not the expected value."


def test_assert_close_offset_and_zeros(rng):
    x = rng.standard_normal(6)
    msg = message_of(testing.assert_close, x + 1.0, x, name="margins")
    assert "same constant 1" in msg
    msg = message_of(testing.assert_close, np.zeros(6), x, name="dx")
    assert "all zeros" in msg
    # one number that is 0 is as often a ReLU of a wrong sum as a result never filled in
    msg = message_of(testing.assert_close, 0.0, 0.5, name="neuron")
    assert "never filled" not in msg


def test_assert_shape_off_by_one_only_when_it_is_one():
    msg = message_of(testing.assert_shape, np.zeros(9), (8,), "path")
    assert "one entry too many" in msg and "off by one" in msg
    msg = message_of(testing.assert_shape, np.zeros((5, 2)), (6, 2), "path")
    assert "one entry too few on axis 0" in msg
    msg = message_of(testing.assert_shape, np.zeros(8), (3,), "db")
    assert "off by one" not in msg and "8 entries where 3 are expected" in msg


def test_assert_close_names_the_axis_of_a_mean(rng):
    # a mean over N x C entries where a mean over N is asked: 1/C
    msg = message_of(testing.assert_close, 0.8, 4.0, name="loss", sizes={"N": 8, "C": 5})
    assert "= 1/C" in msg and "np.mean" in msg
    msg = message_of(testing.assert_close, 32.0, 4.0, name="loss", sizes={"N": 8, "C": 5})
    assert "= N" in msg and "missing 1/N" in msg
    # a loose check matches loosely (tiny weights: the loss is only about log C)
    msg = message_of(testing.assert_close, 9 * 1.3865, np.log(4), name="loss", rtol=1e-3, sizes={"N": 9})
    assert "missing 1/N" in msg


def test_assert_close_scalar_ratio_says_nothing_unless_known():
    msg = message_of(testing.assert_close, -0.597, -0.3107, name="A[0, 0]")
    assert "constant factor" not in msg and "term by term" in msg


def test_assert_close_is_silent_when_the_name_asks_about_the_mistake():
    msg = message_of(
        testing.assert_close, [4.0, 4.0], [3.0, 3.0], name="losses (does your sum skip j = y_i?)"
    )
    assert "constant factor" not in msg and "same constant" not in msg
    assert "asks about" in msg
    msg = message_of(
        testing.assert_close, [4.0, 4.0], [3.0, 3.0], name="losses", hint="count j = y_i once less."
    )
    assert "likely mistake: count j = y_i once less." in msg and "constant" not in msg


def test_assert_close_relu_hints():
    expected = np.array([-1.0, 0.5, -2.0])
    msg = message_of(testing.assert_close, np.maximum(expected, 0), expected, name="A")
    assert "ReLU" in msg and "raw values" in msg
    msg = message_of(testing.assert_close, np.array([-0.5, 2.0]), np.array([0.0, 2.0]), name="z")
    assert "ReLU" in msg and "missing" in msg


def test_assert_close_dtype_hints():
    msg = message_of(testing.assert_close, np.array([0, 2]), np.array([0.5, 2.5]), name="A")
    assert "integer array" in msg
    msg = message_of(testing.assert_close, np.array([1 / 3], dtype=np.float16), np.array([1 / 3]), name="A")
    assert "float16" in msg


def test_fail_frame_is_hidden():
    assert testing._fail.__code__.co_varnames[0] == "headline"
    assert "__tracebackhide__" in testing._fail.__code__.co_varnames


def test_assert_close_generic_reports_worst_entry():
    msg = message_of(testing.assert_close, np.array([1.0, 2.0, 3.5]), np.array([1.0, 2.0, 3.0]), name="v")
    assert msg.splitlines()[0] == "v: 1 of 3 entries differ from the expected values."
    assert "index (2,)" in msg and "expected:" in msg and "got:" in msg


def test_assert_close_message_has_no_pickle_or_library_frames():
    with pytest.raises(AssertionError) as info:
        testing.assert_close(np.zeros(2), np.ones(2), name="x")
    assert info.value.__cause__ is None and info.value.__suppress_context__


# ---------------------------------------------------------------------------------------------------
# assert_scalar / assert_equal
# ---------------------------------------------------------------------------------------------------
def test_assert_scalar():
    testing.assert_scalar(1.5, "loss")
    testing.assert_scalar(np.float32(1.5), "loss", expected=1.5)
    testing.assert_scalar(np.array(2.0), "loss")
    msg = message_of(testing.assert_scalar, np.array([0.3, 0.2]), "loss")
    assert msg.startswith("loss is not a single number.") and "np.mean" in msg and "(2,)" in msg
    msg = message_of(testing.assert_scalar, 2.9 * 3, "loss", expected=2.9)
    assert "3 times too large" in msg
    msg = message_of(testing.assert_scalar, True, "loss")
    assert "bool" in msg
    msg = message_of(testing.assert_scalar, (1.0, np.zeros(2)), "loss")
    assert "tuple" in msg


def test_assert_equal():
    testing.assert_equal(3, 3, "count")
    testing.assert_equal(np.array([1, 2]), np.array([1, 2]), "labels")
    msg = message_of(testing.assert_equal, 4, 3, "count")
    assert "off by one" in msg
    msg = message_of(testing.assert_equal, np.array([1, 0, 2]), np.array([1, 2, 2]), "pred")
    assert msg.startswith("pred: 1 of 3 entries differ.") and "index (1,)" in msg
    msg = message_of(testing.assert_equal, np.array([1, 2]), np.array([[1, 2]]), "pred")
    assert "shape" in msg


# ---------------------------------------------------------------------------------------------------
# assert_true
# ---------------------------------------------------------------------------------------------------
def test_assert_true_passes_on_truthy_conditions():
    testing.assert_true(True, "the property")
    testing.assert_true(np.all(np.arange(3) >= 0), "every entry is non-negative")
    testing.assert_true([1], "a non-empty list")


def test_assert_true_names_the_property_and_gives_the_hint():
    with pytest.raises(AssertionError) as info:
        testing.assert_true(
            np.bool_(False), "minibatch_sgd leaves X and y as they are", hint="X changed at [0, 1]"
        )
    assert str(info.value) == (
        "this does not hold: minibatch_sgd leaves X and y as they are.\n  likely mistake: X changed at [0, 1]"
    )
    assert info.value.check_name == "minibatch_sgd leaves X and y as they are"  # what a hidden failure shows


def test_assert_no_warning_returns_the_value_and_fails_a_warning_even_under_seterr_ignore():
    x = np.array([-1000.0, 1000.0])
    stable = testing.assert_no_warning(lambda v: np.exp(-np.logaddexp(0.0, -v)), x, name="s(x)", hint="h")
    np.testing.assert_array_equal(stable, [0.0, 1.0])
    old = np.seterr(all="ignore")  # what a student may have typed: the check switches warnings on anyway
    try:
        with pytest.raises(AssertionError) as err:
            testing.assert_no_warning(
                lambda v: 1.0 / (1.0 + np.exp(-v)), x, name="sigmoid(x)", hint="use exp(-|x|)"
            )
    finally:
        np.seterr(**old)
    assert str(err.value).startswith("sigmoid(x) emits a RuntimeWarning (overflow encountered in exp).")
    assert "likely mistake: use exp(-|x|)" in str(err.value)
    assert np.geterr() == old  # the caller's settings are left as they were


def test_assert_true_needs_a_name():
    with pytest.raises(TypeError, match="needs a name"):
        testing.assert_true(True, "")


# ---------------------------------------------------------------------------------------------------
# assert_grad_close
# ---------------------------------------------------------------------------------------------------
def numerical_gradient(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def test_assert_grad_close(rng):
    W = rng.standard_normal((3, 2))
    lam = 0.1
    numeric = numerical_gradient(lambda w: lam * np.sum(w**2), W)
    testing.assert_grad_close(2 * lam * W, numeric, name="dW")
    msg = message_of(testing.assert_grad_close, lam * W, numeric, name="dW")
    assert msg.startswith("analytic dW does not match the numerical gradient")
    assert "numerical" in msg and "got/expected = 0.5 = 1/2" in msg
    msg = message_of(testing.assert_grad_close, -2 * lam * W, numeric, name="dW")
    assert "sign is flipped" in msg
    msg = message_of(testing.assert_grad_close, (2 * lam * W).T, numeric, name="dW")
    assert "shape of the variable" in msg


def test_rel_error_matches_cs231n_formula():
    assert testing.rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    assert math.isclose(testing.rel_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])), 0.2)


# ---------------------------------------------------------------------------------------------------
# check_own_work
# ---------------------------------------------------------------------------------------------------
@pytest.fixture
def fakelib(tmp_path, monkeypatch):
    """A throwaway package standing in for the course library: fakelib.acts (forbidden), fakelib.util."""
    pkg = tmp_path / "fakelib"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "acts.py").write_text(
        textwrap.dedent(
            """
            import numpy as np

            def relu(x):
                return np.maximum(0, x)

            def leaky(x, alpha=0.1):
                return np.where(x > 0, x, alpha * x)

            def scalar_relu(v):
                return v if v > 0 else 0.0
            """
        )
    )
    (pkg / "util.py").write_text(
        textwrap.dedent(
            """
            from fakelib import acts

            def show(x):
                return acts.relu(x).sum()
            """
        )
    )
    (pkg / "late.py").write_text("from fakelib import acts\nTABLE = acts.relu([-1.0, 2.0])\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "fakelib" or m.startswith("fakelib.")]:
        monkeypatch.delitem(sys.modules, name)
    import fakelib.acts
    import fakelib.util

    yield fakelib
    testing._guard_files.cache_clear()


X = np.array([-2.0, -0.5, 0.0, 1.5])


def own_relu(x):
    return np.maximum(0, x)


def test_check_own_work_passes_pure_numpy(fakelib):
    out = testing.check_own_work(own_relu, X, forbidden=("fakelib",))
    np.testing.assert_array_equal(out, [0, 0, 0, 1.5])
    out = testing.check_own_work(own_relu, x=X, forbidden="fakelib.acts")
    assert out.shape == (4,)


def test_check_own_work_refuses_the_library_function_itself(fakelib):
    msg = message_of(testing.check_own_work, fakelib.acts.relu, X, forbidden=("fakelib",))
    assert msg.splitlines()[0] == "relu uses the course library instead of your own code."
    assert "calls fakelib.acts.relu from the course library" in msg
    assert "implement it yourself with NumPy, so it earns no credit" in msg


def test_check_own_work_catches_an_alias(fakelib):
    from fakelib.acts import relu as r

    def relu(x):
        return r(x)

    msg = message_of(testing.check_own_work, relu, X, forbidden=("fakelib.acts",))
    assert "`relu` calls fakelib.acts.relu" in msg


def test_check_own_work_catches_lambda_partial_and_vectorize(fakelib):
    def student(x):
        return (lambda v: fakelib.acts.relu(v))(x)

    assert "fakelib.acts.relu" in message_of(testing.check_own_work, student, X, forbidden="fakelib")
    wrapped = lambda v: fakelib.acts.relu(v)  # noqa: E731
    assert "fakelib.acts.relu" in message_of(testing.check_own_work, wrapped, X, forbidden="fakelib")
    part = functools.partial(fakelib.acts.leaky, alpha=0.2)
    assert "fakelib.acts.leaky" in message_of(testing.check_own_work, part, X, forbidden="fakelib")
    vec = np.vectorize(fakelib.acts.scalar_relu)
    assert "fakelib.acts.scalar_relu" in message_of(testing.check_own_work, vec, X, forbidden="fakelib")

    def inner_vectorize(x):
        return np.vectorize(fakelib.acts.scalar_relu, otypes=[float])(x)

    msg = message_of(testing.check_own_work, inner_vectorize, X, forbidden="fakelib")
    assert "`inner_vectorize` calls fakelib.acts.scalar_relu" in msg


def test_check_own_work_allows_allowed_modules_and_what_they_call(fakelib):
    def student(x):
        fakelib.util.show(x)  # allowed module, which itself uses fakelib.acts
        return np.maximum(0, x)

    out = testing.check_own_work(student, X, forbidden="fakelib", allowed="fakelib.util")
    assert out[-1] == 1.5
    msg = message_of(testing.check_own_work, student, X, forbidden="fakelib", allowed=())
    assert "fakelib.util.show" in msg


def test_check_own_work_ignores_module_imports(fakelib):
    def student(x):
        import fakelib.late  # the module body calls acts.relu while importing  # noqa: F401

        return np.maximum(0, x)

    out = testing.check_own_work(student, X, forbidden="fakelib")
    assert out.sum() == 1.5


def test_check_own_work_catches_exec_and_nested_helpers(fakelib):
    def student(x):
        scope = {"x": x}
        exec("import fakelib.acts as a\nout = a.relu(x)", scope)  # module-level code is no loophole
        return scope["out"]

    assert "fakelib.acts.relu" in message_of(testing.check_own_work, student, X, forbidden="fakelib")

    def helper(v):
        return fakelib.acts.leaky(v, 0.3)

    def student2(x):
        return helper(x) + 0

    assert "`student2` calls fakelib.acts.leaky" in message_of(
        testing.check_own_work, student2, X, forbidden="fakelib"
    )


def test_check_own_work_refuses_real_course_library():
    import helpers.data  # noqa: F401 - any real library module will do

    def student(X):
        from helpers.data import preprocess as prep

        return prep(X)[0]

    x = np.arange(2 * 32 * 32 * 3, dtype=np.uint8).reshape(2, 32, 32, 3)
    msg = message_of(testing.check_own_work, student, x)
    assert "helpers.data.preprocess" in msg
    # helpers.testing itself is allowed by default
    out = testing.check_own_work(lambda v: testing.rel_error(v, v), np.ones(3))
    assert out == 0.0


def test_check_own_work_restores_profiler_and_propagates_errors(fakelib):
    calls = []

    def outer_profiler(frame, event, arg):
        calls.append(event)

    def broken(x):
        raise ValueError("student bug")

    sys.setprofile(outer_profiler)
    try:
        testing.check_own_work(own_relu, X, forbidden="fakelib")
        assert sys.getprofile() is outer_profiler
        with pytest.raises(ValueError, match="student bug"):
            testing.check_own_work(broken, X, forbidden="fakelib")
        assert sys.getprofile() is outer_profiler
    finally:
        sys.setprofile(None)
    assert calls  # the outer profiler kept working after each call

    def delegate_then_fail(x):
        fakelib.acts.relu(x)
        raise ValueError("later bug")

    msg = message_of(testing.check_own_work, delegate_then_fail, X, forbidden="fakelib")
    assert "fakelib.acts.relu" in msg
    assert sys.getprofile() is None


# ---- the test's objects are never the student's (issue 19, item 1) -----------------------------------


def _zero_in_place_then_sum(x, extra):
    """A hostile answer: zeroes every array it is given, in place, then answers for the zeros."""
    x[...] = 0
    extra["w"][...] = 0
    extra["new"] = 1
    return float(x.sum())


def test_call_gives_copies_and_reports_what_the_function_left():
    x, extra = np.arange(4.0), {"w": np.ones(2)}
    called = testing.call(_zero_in_place_then_sum, x, extra)
    assert called.value == 0.0
    np.testing.assert_array_equal(x, np.arange(4.0))  # the caller's own objects are untouched
    assert list(extra) == ["w"] and np.array_equal(extra["w"], np.ones(2))
    np.testing.assert_array_equal(called.args[0], np.zeros(4))  # what the function did, read explicitly
    assert called.args[1]["new"] == 1 and np.array_equal(called.args[1]["w"], np.zeros(2))


def test_check_own_work_gives_copies_so_an_expected_value_cannot_be_chosen():
    x, extra = np.arange(4.0), {"w": np.ones(2)}
    got = testing.check_own_work(_zero_in_place_then_sum, x, extra)
    with pytest.raises(AssertionError, match="sum"):  # computed after the call, from the test's own x
        testing.assert_scalar(got, "sum", expected=float(x.sum()))


def test_call_keeps_callables_and_copies_generators():
    seen = []

    def callback(v):
        seen.append(v.copy())
        v += 1  # a stand-in update rule may change what the student's function gave it

    def student(x, update, rng):
        update(x)
        return rng.integers(0, 1000)

    rng = np.random.default_rng(7)
    called = testing.call(student, np.zeros(2), callback, rng)
    assert len(seen) == 1  # the test's own callback ran (and recorded), not a copy of it
    np.testing.assert_array_equal(called.args[0], np.ones(2))  # the student's copy saw the update
    assert called.value == np.random.default_rng(7).integers(0, 1000)
    assert rng.integers(0, 1000) == called.value  # the caller's generator did not advance


def test_call_uses_an_explicit_call_with_arguments_when_the_function_has_one():
    """Under the autograder the student's function is a proxy that reports its arguments itself."""

    class Proxy:
        def call_with_arguments(self, *args, **kwargs):
            return "value", ("left",), {"k": "left"}

        def __call__(self, *args, **kwargs):  # pragma: no cover - call() must not use it
            raise AssertionError("call() must ask the proxy for the arguments explicitly")

    assert testing.call(Proxy(), 1, k=2) == ("value", ("left",), {"k": "left"})
