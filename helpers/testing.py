r"""Assertion helpers for the visible and hidden test cells of the notebooks.

Every failure raises ``AssertionError`` whose message starts with a one-line headline, then says what
was expected, what came, and the likely mistake, for example::

    loss is not the expected value.
      expected: 2.04022
      got:      0.886057
      likely mistake: values are off by a constant factor, got/expected = 0.4343 = 1/ln(10): you
      used np.log10 where the natural log np.log is needed.

The helpers mark their frames with ``__tracebackhide__`` so pytest (and IPython) show the student's
line, not ours.

``check_own_work(fn, *args, **kwargs)`` runs a student's function and refuses credit when the call
reaches into the course library (``from helpers.activations import relu`` and friends).

The test's objects are never the student's: ``check_own_work`` and ``call`` give the student's function
copies of the arguments, so an expected value a test computes from its own arrays cannot be chosen by
the student (a function that zeroes its arguments in place changes only its copies). What a function
did to its arguments is read explicitly, ``call(fn, *args).args``, by the tests whose contract is an
in-place update or a restored argument. Under the autograder the same holds across the sandbox: the
student's function runs in another process on plain-data copies (autograder/README.md, "Trust model").

Hidden checks are named in words that hold no data. Every check in a hidden part (between nbgrader's
hidden-tests markers) is one of the ``assert_*`` helpers with a ``name``: under
the autograder a failed hidden check shows its name and nothing else (no expected or received value, no
hint), so the name says in words which property failed and what mistake it suggests ("L2 penalty of a
one-hot weight vector", "hinge_loss with another margin (use the margin passed in)"). It holds no input,
no expected value and no digit (write "twice", "a one-hot ..."), and at most 120 characters; a yes-or-no
property is :func:`assert_true`, never a bare ``assert``. The evaluator withholds a name with a digit
as a safety net; ``tests/test_hidden_names.py`` checks the rule over the whole course by running the
hidden parts and comparing each name with what the hidden code passed to the student's functions and
expected back. Visible checks keep their full, value-rich messages.
"""

import copy
import functools
import importlib.util
import inspect
import math
import os
import sys
import warnings
from typing import NamedTuple

import numpy as np

__all__ = [
    "assert_close",
    "assert_dtype",
    "assert_equal",
    "assert_grad_close",
    "assert_scalar",
    "assert_shape",
    "assert_no_warning",
    "assert_true",
    "call",
    "check_own_work",
    "rel_error",
]

LN10 = math.log(10.0)
LN2 = math.log(2.0)
_MISSING = object()


# --------------------------------------------------------------------------------------------------
# message building
# --------------------------------------------------------------------------------------------------
def _fail(headline, expected=_MISSING, got=_MISSING, hint=None, *, labels=("expected", "got")):
    __tracebackhide__ = True
    lines = [headline]
    width = max(len(labels[0]), len(labels[1])) + 1
    if expected is not _MISSING:
        lines.append(f"  {labels[0] + ':':<{width}} {_short(expected)}")
    if got is not _MISSING:
        lines.append(f"  {labels[1] + ':':<{width}} {_short(got)}")
    if hint:
        lines.append(f"  likely mistake: {hint}")
    raise AssertionError("\n".join(lines)) from None


def _short(value, max_chars=200):
    if isinstance(value, str):
        text = value
    elif isinstance(value, np.ndarray):
        with np.printoptions(precision=6, threshold=12, edgeitems=3, linewidth=100):
            text = np.array2string(value, separator=", ")
        if value.ndim > 1:
            text = f"array of shape {value.shape}: " + " ".join(text.split())
    elif isinstance(value, float | np.floating):
        text = f"{float(value):.6g}"
    else:
        text = repr(value)
    return text if len(text) <= max_chars else text[: max_chars - 3] + "..."


def _type_problem(value, name):
    """Return a headline+hint for values that are not numbers at all (None, NotImplemented, ...)."""
    if value is None:
        return (
            f"{name} is None.",
            "the function has no `return` statement (or returns before computing the result).",
        )
    if value is NotImplemented or value is Ellipsis:
        return (f"{name} is {value!r}.", "the exercise is not implemented yet: replace the placeholder.")
    if isinstance(value, tuple) and len(value) == 2 and not _is_numeric(value):
        return (
            f"{name} is a tuple of 2 items, not a number or array.",
            "the function returns a pair (e.g. (loss, grad)); unpack it: `value, _ = f(...)`.",
        )
    return None


def _is_numeric(value):
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001 - ragged input and friends
        return False
    return arr.dtype.kind in "biuf"


def _as_float_array(value, name):
    problem = _type_problem(value, name)
    if problem:
        _fail(problem[0], hint=problem[1])
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        _fail(f"{name} cannot be turned into a NumPy array.", got=type(value).__name__)
    if arr.dtype.kind not in "biuf":
        _fail(
            f"{name} is not numeric.",
            "a number or array of numbers",
            f"{type(value).__name__} with dtype {arr.dtype}",
            "a ragged list or a string; build the result with NumPy operations.",
        )
    return arr.astype(np.float64)


def _shape_hint(got, expected):
    """Explain a shape mismatch between ``got`` and ``expected`` (tuples)."""
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        return "the axes are swapped (transposed): check the order of a matrix product or a stray .T."
    if got == () and expected != ():
        return "you got a single number: an np.sum/np.mean/np.max without axis= reduced everything."
    if expected == () and got != ():
        return "a scalar was expected: reduce the array (np.sum or np.mean) and return a float."
    if len(got) == len(expected) + 1 and 1 in got and tuple(d for d in got if d != 1) == expected:
        return "there is an extra axis of length 1: use keepdims only for broadcasting, then drop it."
    if len(got) + 1 == len(expected) and tuple(d for d in expected if d != 1) == got:
        return "an axis of length 1 is missing: use keepdims=True (or [:, None]) before broadcasting."
    if len(got) + 1 == len(expected) and got == expected[1:]:
        return "the batch axis is missing: process all N rows at once instead of one row."
    if len(got) == len(expected) and sum(g != e for g, e in zip(got, expected, strict=True)) == 1:
        axis = next(i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e)
        where = "" if len(got) == 1 else f" on axis {axis}"
        if abs(got[axis] - expected[axis]) == 1:
            more = "one entry too many" if got[axis] > expected[axis] else "one entry too few"
            return (
                f"{more}{where}: off by one; check the range() bounds and whether the first or last "
                "entry is appended."
            )
        if len(got) == 1:
            return f"{got[0]} entries where {expected[0]} are expected."
    if len(got) == len(expected) - 1 or len(got) == len(expected) + 1:
        return "the number of axes differs: check the axis= of reductions and any reshape."
    if math.prod(got) == math.prod(expected):
        return "same number of entries, different layout: check reshape/flatten and axis order."
    return "check which axis you reduce over (axis=0 runs down the rows, axis=1 along each row)."


def _ratio_hint(ratio, sizes=None, scalar=False, tol=1e-6):
    """Name the usual suspects for a constant factor ``ratio = got / expected``.

    ``sizes`` maps axis letters to lengths (``{"N": 8, "C": 5}``) so that a factor N or 1/C is named.
    For one number (``scalar``) a factor that is none of the usual suspects says nothing: None.
    ``tol`` is the relative tolerance of a match (a check with a loose rtol gets a loose match).
    """
    head = f"values are off by a constant factor, got/expected = {ratio:.4g}"
    for letter, n in (sizes or {}).items():
        if n >= 2 and math.isclose(ratio, n, rel_tol=tol):
            return (
                f"{head} = {letter}: a sum over the {letter} = {n} entries where a mean was asked "
                f"(a missing 1/{letter})."
            )
        if n >= 2 and math.isclose(ratio, 1 / n, rel_tol=tol):
            return (
                f"{head} = 1/{letter}: divided by {letter} once too often (np.mean over an axis of "
                f"length {letter}, or over the whole array, where a sum over {letter} is asked)."
            )
    known = [
        (2.0, "2", "twice the expected value: a missing 1/2 (or a factor 2 too many in a derivative)."),
        (0.5, "1/2", "half the expected value: a 1/2 too many, or a missing factor 2 in a derivative."),
        (1 / LN10, "1/ln(10)", "you used np.log10 where the natural log np.log is needed."),
        (LN10, "ln(10)", "natural log used where log base 10 was asked."),
        (1 / LN2, "1/ln(2)", "you used np.log2 where the natural log np.log is needed."),
        (LN2, "ln(2)", "natural log used where log base 2 was asked."),
    ]
    for value, label, text in known:
        if math.isclose(ratio, value, rel_tol=1e-3):
            return f"{head} = {label}: {text}"
    # a whole factor that is none of the sizes named: say how far off, guess no cause (a factor 5 is
    # as likely a bias added 2 more times or a weight read from the wrong place as a missing 1/N)
    rounded = round(ratio)
    if rounded >= 2 and math.isclose(ratio, rounded, rel_tol=tol):
        return f"{head}: {rounded} times too large."
    inverse = 1 / ratio if ratio else 0
    rounded = round(inverse)
    if rounded >= 2 and math.isclose(inverse, rounded, rel_tol=tol):
        return f"{head}: {rounded} times too small."
    if scalar or math.isclose(ratio, 1.0, rel_tol=0.01):
        return None  # one number off by some factor, or values nearly right (a precision problem)
    return f"{head}."


def _value_hint(got, expected, rtol, atol, sizes=None):
    """Diagnose value differences between two float arrays of the same shape (or None)."""
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        kind = "NaN" if np.isnan(got).any() else "inf"
        return (
            f"{bad} of {got.size} entries are {kind}: an overflow in np.exp (subtract the max first), "
            "a log of 0 (clip or work from logits) or a division by zero."
        )
    scale = np.abs(expected) > max(atol, 1e-12)
    if scale.any() and np.allclose(got, -expected, rtol=rtol, atol=atol):
        return "the sign is flipped: got is -expected (check a minus sign, or gradient ascent vs descent)."
    if got.shape == expected.shape and got.ndim == 2 and got.shape[0] == got.shape[1]:
        if np.allclose(got, expected.T, rtol=rtol, atol=atol):
            return "got is the transpose of expected: swap the operands of the product or drop a .T."
    if scale.any() and np.all(np.abs(got[~scale]) <= 10 * max(atol, 1e-12)):
        ratios = got[scale] / expected[scale]
        ratio = float(np.median(ratios))
        if ratio != 0 and np.allclose(ratios, ratio, rtol=max(rtol, 1e-6) * 10, atol=0):
            hint = _ratio_hint(ratio, sizes, scalar=got.size == 1, tol=max(rtol, 1e-6) * 10)
            if hint:
                return hint
    # an array of zeros where only negatives are expected is more likely a result never filled in
    clipped = np.any(expected < -atol) and (got.size == 1 or np.any(expected > atol))
    if clipped and np.allclose(got, np.maximum(expected, 0), rtol=rtol, atol=atol):
        return "the negative values became 0: a ReLU max(0, .) where the raw values are asked."
    zero = np.abs(expected) <= atol
    if (
        zero.any()
        and np.any(got[zero] < -atol)
        and np.allclose(np.maximum(got, 0), expected, rtol=rtol, atol=atol)
    ):
        return "negative values where 0 is expected: the ReLU max(0, .) is missing."
    if got.size > 1:
        offset = got - expected
        if np.allclose(offset, offset.flat[0], rtol=0, atol=max(atol, rtol * np.abs(expected).max())):
            return (
                f"every entry is off by the same constant {float(offset.flat[0]):.4g}: "
                "a missing or extra bias, margin or +1."
            )
    # one number that is 0 is as often a ReLU or a max(0, .) of a wrong sum: only a whole array of zeros
    # says "never filled in"
    if got.size > 1 and np.allclose(got, 0, atol=atol) and not np.allclose(expected, 0, atol=atol):
        return "got is all zeros: a result that is never filled in, or a gradient that is never accumulated."
    return None


def _dtype_hint(dtype, got, expected, rtol):
    """Integer or low-precision results explain a mismatch on their own."""
    if dtype is None:
        return None
    dtype = np.dtype(dtype)
    if dtype.kind in "iub" and not np.allclose(expected, np.round(expected)):
        return (
            f"the result is an integer array ({dtype}): np.zeros(..., dtype=int), integer inputs or //; "
            "the fractions are cut off. Make the result float (np.zeros(shape) is float64)."
        )
    if dtype.kind == "f" and dtype.itemsize < 8 and np.allclose(got, expected, rtol=max(rtol, 1e-2)):
        return f"the result is {dtype} and loses precision: compute in float64."
    return None


def _known_mistake(got, mistakes, rtol, atol):
    """The diagnosis of the first entry of ``mistakes`` (diagnosis -> what that mistake returns) that
    ``got`` matches, or None."""
    for diagnosis, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong, dtype=np.float64)
        if wrong.shape == got.shape and np.allclose(got, wrong, rtol=rtol, atol=atol, equal_nan=True):
            return diagnosis
    return None


def _worst(got, expected):
    diff = np.abs(got - expected)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    where = f" at index {tuple(int(i) for i in index)}" if diff.ndim else ""
    return (
        f"largest difference {float(diff[index]):.4g}{where} "
        f"(got {float(got[index]):.6g}, expected {float(expected[index]):.6g})"
    )


# --------------------------------------------------------------------------------------------------
# public asserts
# --------------------------------------------------------------------------------------------------
def assert_shape(arr, shape, name="result"):
    """Check ``arr.shape == shape``; ``None`` in ``shape`` matches any length on that axis."""
    __tracebackhide__ = True
    problem = _type_problem(arr, name)
    if problem:
        _fail(problem[0], f"an array of shape {tuple(shape)}", hint=problem[1])
    if not hasattr(arr, "shape"):
        try:
            got = np.shape(arr)
        except Exception:  # noqa: BLE001
            got = None
        _fail(
            f"{name} is a {type(arr).__name__}, not a NumPy array.",
            f"an ndarray of shape {tuple(shape)}",
            f"{type(arr).__name__}" + (f" (would be shape {got})" if got is not None else ""),
            "build the result with NumPy (np.array, np.zeros, vectorised operations), not a Python list.",
        )
    got = tuple(arr.shape)
    want = tuple(shape)
    if len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want, strict=True)):
        return
    # fill the wildcards from got, so the hint compares concrete shapes
    concrete = tuple((got[i] if i < len(got) else -1) if w is None else w for i, w in enumerate(want))
    _fail(
        f"{name} has the wrong shape.",
        _fmt_shape(want),
        _fmt_shape(got),
        _shape_hint(got, concrete),
        labels=("expected shape", "got shape"),
    )


def _fmt_shape(shape):
    return (
        "("
        + ", ".join("any" if s is None else str(s) for s in shape)
        + ("," if len(shape) == 1 else "")
        + ")"
    )


def assert_dtype(arr, dtype, name="result"):
    """Check the dtype; ``dtype`` may be concrete (``np.float32``) or abstract (``np.floating``)."""
    __tracebackhide__ = True
    problem = _type_problem(arr, name)
    if problem:
        _fail(problem[0], hint=problem[1])
    got = np.asarray(arr).dtype if not hasattr(arr, "dtype") else np.dtype(arr.dtype)
    if np.issubdtype(got, dtype):
        return
    want = dtype.__name__ if isinstance(dtype, type) else str(np.dtype(dtype))
    if got.kind == "b" and np.issubdtype(np.float64, dtype):
        hint = (
            "a boolean array (the result of a comparison such as x > 0) where floats are asked: convert it "
            "with .astype(np.float64) (or np.where(cond, 1.0, 0.0))."
        )
    elif got.kind in "iub" and np.issubdtype(np.float64, dtype):
        hint = (
            "an integer array where floats are needed: np.zeros(..., dtype=int), integer-only inputs, "
            "or // instead of /. Use .astype(np.float64) or float literals."
        )
    elif got.kind == "f" and (np.issubdtype(np.int64, dtype) or np.issubdtype(np.int32, dtype)):
        hint = "floats where integers (class labels, counts) are needed: use np.argmax or .astype(np.int64)."
    elif got.kind == "f":
        hint = f"wrong float precision: convert with .astype({want})."
    elif got.kind == "O":
        hint = "an object array: usually a ragged list of lists or arrays; build a regular array."
    else:
        hint = f"convert with .astype({want})."
    _fail(f"{name} has the wrong dtype.", want, str(got), hint)


def assert_close(
    actual, expected, *, name="result", rtol=1e-6, atol=1e-8, hint=None, sizes=None, mistakes=None
):
    """Check that ``actual`` equals ``expected`` up to ``rtol``/``atol`` (as ``np.allclose``).

    On failure the message diagnoses the usual mistakes: None or NotImplemented returned, wrong
    shape or transposed, NaN/inf, flipped sign, a constant factor (reported as a ratio, with the
    usual suspects 2, 1/2, N, ln 10, and 1/C or N for the axis lengths given as ``sizes``, e.g.
    ``sizes={"N": 8, "C": 5}``), a constant offset, a ReLU too many or missing, integer or low
    precision results. A test that knows the likely mistake passes it as ``hint``, or asks about it
    in ``name`` ("... (does your sum skip j = y_i?)"): then no guess is added.

    ``mistakes`` maps a diagnosis to what that mistake returns on this input (``{"the bias b is
    missing": X @ W}``): when ``actual`` matches one, its diagnosis is the hint, before any generic
    guess. It is the evidence a hint should have: the test worked the wrong answer out.
    """
    __tracebackhide__ = True
    raw_dtype = getattr(actual, "dtype", None)
    got = _as_float_array(actual, name)
    want = np.asarray(expected, dtype=np.float64)
    known = _known_mistake(got, mistakes, rtol, atol) if hint is None else None
    if got.shape != want.shape:
        _fail(
            f"{name} has the wrong shape.",
            _fmt_shape(want.shape),
            _fmt_shape(got.shape),
            known or _shape_hint(got.shape, want.shape),
            labels=("expected shape", "got shape"),
        )
    if np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True):
        return
    # an integer result is evidence on its own (5.5 stored as 5 could look like another mistake's value)
    hint = hint or (_dtype_hint(raw_dtype, got, want, rtol) if known else None) or known
    if hint is None and "?" not in name:
        hint = _dtype_hint(raw_dtype, got, want, rtol) or _value_hint(got, want, rtol, atol, sizes)
    elif hint is None and not np.all(np.isfinite(got)):
        hint = _value_hint(got, want, rtol, atol)
    if got.ndim == 0:
        headline = f"{name} is not the expected value."
        detail = None
    else:
        bad = int(np.count_nonzero(~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)))
        headline = f"{name}: {bad} of {got.size} entries differ from the expected values."
        detail = _worst(got, want) if np.all(np.isfinite(got)) else None
    if not hint and "?" in name:
        hint = "the one this check asks about (see its name above)."
    text = hint or "compare your formula with the one in the text, term by term."
    if detail:
        text = f"{text}\n  ({detail}; rtol={rtol:g}, atol={atol:g})"
    _fail(headline, want, got, text)


def assert_scalar(
    value, name="result", expected=None, *, rtol=1e-6, atol=1e-8, hint=None, sizes=None, mistakes=None
):
    """Check that ``value`` is one real number (Python or NumPy scalar, or 0-d array).

    With ``expected`` also compare it as :func:`assert_close` does (``mistakes`` as there).
    """
    __tracebackhide__ = True
    problem = _type_problem(value, name)
    if problem:
        _fail(problem[0], "a single number", hint=problem[1])
    if isinstance(value, bool | np.bool_):
        _fail(
            f"{name} is a bool, not a number.", "a float", repr(value), "return the number, not a comparison."
        )
    arr = np.asarray(value) if isinstance(value, int | float | np.generic | np.ndarray) else None
    if arr is None or arr.ndim != 0:
        shape = None if arr is None else arr.shape
        if shape is None:
            try:
                shape = np.shape(value)
            except Exception:  # noqa: BLE001
                shape = None
        _fail(
            f"{name} is not a single number.",
            "a float (one number)",
            f"{type(value).__name__}" + (f" of shape {shape}" if shape is not None else ""),
            "an array where one number is asked: reduce it with np.sum / np.mean (no axis=), "
            "or take float(...) of a 1-element result.",
        )
    if arr.dtype.kind not in "biuf":
        _fail(f"{name} is not a real number.", "a float", repr(value), "return a real number.")
    if expected is not None:
        assert_close(
            float(arr),
            float(expected),
            name=name,
            rtol=rtol,
            atol=atol,
            hint=hint,
            sizes=sizes,
            mistakes=mistakes,
        )


def assert_equal(actual, expected, name="result"):
    """Exact equality for integers, labels, booleans, strings and integer arrays."""
    __tracebackhide__ = True
    problem = _type_problem(actual, name)
    if problem and expected is not None:
        _fail(problem[0], expected, hint=problem[1])
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        got = np.asarray(actual)
        want = np.asarray(expected)
        if got.shape != want.shape:
            _fail(
                f"{name} has the wrong shape.",
                _fmt_shape(want.shape),
                _fmt_shape(got.shape),
                _shape_hint(got.shape, want.shape),
                labels=("expected shape", "got shape"),
            )
        mismatch = got != want
        if not np.any(mismatch):
            return
        first = tuple(int(i) for i in np.argwhere(mismatch)[0])
        _fail(
            f"{name}: {int(mismatch.sum())} of {got.size} entries differ.",
            want,
            got,
            f"first difference at index {first}: got {got[first]!r}, expected {want[first]!r}.",
        )
    if actual == expected:
        return
    hint = None
    if isinstance(expected, int | np.integer) and isinstance(actual, int | np.integer):
        if actual == expected - 1 or actual == expected + 1:
            hint = "off by one: check range() bounds and whether counting starts at 0."
    elif isinstance(expected, int | np.integer) and isinstance(actual, float | np.floating):
        hint = "a float where an integer was asked."
    _fail(f"{name} is not the expected value.", expected, actual, hint)


def assert_true(condition, name, hint=None):
    """Check a yes-or-no property: ``condition`` (a bool) says whether the property ``name`` holds.

    ``name`` states the property as it should be ("minibatch_sgd leaves X and y as they are"); on failure
    the headline says it does not hold and ``hint`` (which may name values: it is never shown for a
    hidden check) is the likely mistake. This is the form of a bare ``assert`` that a hidden part may use.
    """
    __tracebackhide__ = True
    if not name or not isinstance(name, str):
        raise TypeError("assert_true needs a name: the property it checks, in words")
    if bool(condition):
        return
    _fail(f"this does not hold: {name}.", hint=hint)


def assert_no_warning(fn, *args, name, hint, **kwargs):
    """Call ``fn(*args, **kwargs)`` and fail if it emits a ``RuntimeWarning``; return its result.

    NumPy's overflow, invalid and divide warnings are switched on for the call, whatever ``np.seterr``
    said before. For the ungraded checks of the student's own kernel: only that kernel can see a warning
    (under the autograder the call runs in another process). ``name`` is the call as the student reads it
    ("sigmoid([-1000, 1000])"), ``hint`` the likely mistake.
    """
    __tracebackhide__ = True
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error", RuntimeWarning)
        try:
            return fn(*args, **kwargs)
        except RuntimeWarning as warning:
            _fail(f"{name} emits a RuntimeWarning ({warning}).", hint=hint)


def rel_error(a, b):
    """Largest relative error ``|a - b| / max(1e-8, |a| + |b|)``, as ``helpers.gradients.rel_error``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def assert_grad_close(analytic, numeric, *, name="gradient", threshold=1e-7):
    """Check an analytic gradient against a numerical one with ``rel_error < threshold``.

    ``numeric`` is the centred-difference gradient (``helpers.gradients.numerical_gradient``).
    Smooth functions in float64 reach 1e-7 or better; functions with kinks (ReLU, hinge) may need 1e-5.
    """
    __tracebackhide__ = True
    got = _as_float_array(analytic, f"analytic {name}")
    want = np.asarray(numeric, dtype=np.float64)
    if got.shape != want.shape:
        _fail(
            f"analytic {name} has the wrong shape.",
            _fmt_shape(want.shape),
            _fmt_shape(got.shape),
            "a gradient has the shape of the variable it belongs to (dW like W). "
            + _shape_hint(got.shape, want.shape),
            labels=("expected shape", "got shape"),
        )
    if not np.all(np.isfinite(got)):
        _fail(f"analytic {name} contains NaN or inf.", hint="an overflow or division by zero in backward.")
    err = rel_error(got, want)
    if err < threshold:
        return
    hint = _value_hint(got, want, rtol=1e-4, atol=1e-10) or (
        "check the chain rule step by step; compare each local gradient with a numerical check."
    )
    _fail(
        f"analytic {name} does not match the numerical gradient (rel error {err:.2e} >= {threshold:g}).",
        want,
        got,
        hint + f"\n  ({_worst(got, want)})",
        labels=("numerical (centred differences)", "analytic (yours)"),
    )


# --------------------------------------------------------------------------------------------------
# anti-delegation guard
# --------------------------------------------------------------------------------------------------
def _module_files(name):
    """Map of real file path -> dotted module name for module or package ``name`` (no import of it)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return {}
    if spec is None:
        return {}
    files = {}
    if spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            for folder, _dirs, names in os.walk(root):
                for fname in names:
                    if fname.endswith(".py"):
                        path = os.path.join(folder, fname)
                        rel = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
                        rel = rel.removesuffix("__init__").rstrip(".")
                        files[os.path.realpath(path)] = f"{name}.{rel}" if rel else name
    elif spec.origin and spec.origin.endswith(".py"):
        files[os.path.realpath(spec.origin)] = name
    return files


@functools.lru_cache(maxsize=32)
def _guard_files(forbidden, allowed):
    banned = {}
    for name in forbidden:
        banned.update(_module_files(name))
    permitted = {}
    for name in allowed:
        permitted.update(_module_files(name))
    for path in permitted:
        banned.pop(path, None)
    return banned, frozenset(permitted)


def _as_names(names):
    return (names,) if isinstance(names, str) else tuple(names)


def _under(module, names):
    return any(module == n or module.startswith(n + ".") for n in names)


def _unwrap(fn):
    """The underlying functions of partials, np.vectorize objects, bound methods and decorators."""
    seen = []
    stack = [fn]
    while stack and len(seen) < 20:
        f = stack.pop()
        seen.append(f)
        for attr in ("func", "pyfunc", "__func__", "__wrapped__"):
            inner = getattr(f, attr, None)
            if inner is not None and callable(inner):
                stack.append(inner)
    return seen


def _refuse(fn, module, qualname):
    fname = getattr(fn, "__name__", None) or type(fn).__name__
    raise AssertionError(
        f"{fname} uses the course library instead of your own code.\n"
        f"  `{fname}` calls {module}.{qualname} from the course library; this exercise asks you to "
        "implement it yourself with NumPy, so it earns no credit.\n"
        f"  likely fix: remove the import of {module} and write the computation with NumPy operations."
    ) from None


#: What a student's function may call inside :func:`check_own_work`: figures and widgets, no answers.
DISPLAY_MODULES = (
    "helpers.testing",
    "helpers.figure_style",
    "helpers.network_figures",
    "helpers.activation_figures",
    "helpers.argmin_figures",
    "helpers.loss_figures",
    "helpers.image_figures",
    "helpers.regularization_figures",
    "helpers.gradient_figures",
    "helpers.backprop_figures",
    "helpers.training_figures",
    "helpers.widgets",
)


# --------------------------------------------------------------------------------------------------
# the name of a failed check, for hidden checks
# --------------------------------------------------------------------------------------------------
def _named(check):
    """``check`` whose AssertionError carries ``check_name``: the ``name`` it was given.

    Under the autograder a failed hidden check shows only this name (and only when it holds no digit,
    so no input or expected value can hide in it), never the expected and received values: see
    ``autograder/inside/evaluator.py``. Visible checks show their full message, as here.
    """
    signature = inspect.signature(check)

    @functools.wraps(check)
    def named(*args, **kwargs):
        __tracebackhide__ = True
        try:
            return check(*args, **kwargs)
        except AssertionError as err:
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                err.check_name = str(bound.arguments.get("name", ""))
            except TypeError:
                pass
            raise

    return named


assert_shape = _named(assert_shape)
assert_dtype = _named(assert_dtype)
assert_close = _named(assert_close)
assert_scalar = _named(assert_scalar)
assert_equal = _named(assert_equal)
assert_grad_close = _named(assert_grad_close)
assert_true = _named(assert_true)


class Called(NamedTuple):
    """What :func:`call` returns: the value, and the arguments as the function left them (copies)."""

    value: object
    args: tuple
    kwargs: dict


def call(fn, *args, **kwargs):
    """Call a student's ``fn`` on copies of the arguments; return :class:`Called` (value, args, kwargs).

    The caller's own objects are never changed. ``.args`` and ``.kwargs`` hold what the function left
    in its arguments, for a test whose contract is an in-place update (``sgd_momentum_step``) or a
    restored argument (``numerical_gradient``). Under the autograder ``fn`` is the evaluator's proxy of
    the student's function, which reports the same explicitly (``call_with_arguments``).
    """
    __tracebackhide__ = True
    explicit = getattr(fn, "call_with_arguments", None)
    if callable(explicit):
        return Called(*explicit(*args, **kwargs))
    args, kwargs = _copy_data(args), _copy_data(kwargs)
    return Called(fn(*args, **kwargs), args, kwargs)


def _copy_data(value):
    """A copy of the data in ``value`` (arrays, containers, numbers, generators); callables stay themselves.

    The same split as the autograder's: data crosses to the student's function as a copy, a test's
    callable (a stand-in update rule, a loss) stays the test's own object, so what it records is seen.
    """
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _copy_data(v) for k, v in value.items()}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple
        return type(value)(*(_copy_data(v) for v in value))
    if isinstance(value, list | tuple):
        return type(value)(_copy_data(v) for v in value)
    if callable(value) or isinstance(value, str | bytes | int | float | complex | bool | type(None)):
        return value
    return copy.deepcopy(value)


def check_own_work(
    fn,
    *args,
    forbidden=("helpers",),
    allowed=DISPLAY_MODULES,
    **kwargs,
):
    """Call ``fn`` on copies of the arguments (see :func:`call`) and return its result, refusing library delegation.

    Raises ``AssertionError`` (with a kind message) when ``fn`` itself is a function of a ``forbidden``
    module, or when during the call any Python function whose code lives in a forbidden module runs:
    this catches imports under another name, lambdas and ``functools.partial`` wrapping the library,
    ``np.vectorize`` of a library function and helper functions that delegate. Modules in ``allowed``
    (and whatever they call) are fine, and so is importing a forbidden module. Works with
    ``sys.setprofile`` (the previous profiler is restored, also on errors); only the calling thread
    is watched. Cost: NumPy-heavy code runs at full speed; code made of many tiny Python calls runs
    up to about 8x slower while watched.

    Parameters
    ----------
    fn : callable
        The student's function.
    forbidden : str or tuple of str
        Dotted module or package names, e.g. ``("helpers.activations",)``.
    allowed : str or tuple of str
        Exceptions inside ``forbidden``.
    """
    __tracebackhide__ = True
    args, kwargs = _copy_data(args), _copy_data(kwargs)  # the test's own objects stay the test's
    forbidden = _as_names(forbidden)
    allowed = _as_names(allowed)
    for f in _unwrap(fn):
        module = getattr(f, "__module__", None) or ""
        if _under(module, forbidden) and not _under(module, allowed):
            _refuse(fn, module, getattr(f, "__qualname__", getattr(f, "__name__", "?")))
    banned, permitted = _guard_files(forbidden, allowed)
    if not banned:
        return fn(*args, **kwargs)

    hits = []
    kinds = {}  # co_filename -> BANNED / PERMITTED / 0, decided once per file from its real path

    def kind_of(filename):
        kind = kinds.get(filename)
        if kind is None:
            path = os.path.realpath(filename)
            kind = kinds[filename] = _BANNED if path in banned else _PERMITTED if path in permitted else 0
        return kind

    def inspect(frame):
        # ignore calls made below an allowed helper or while a banned module is being imported
        outer = frame
        while outer is not None and outer.f_code is not _CHECK_CODE:
            kind = kind_of(outer.f_code.co_filename)
            if kind == _PERMITTED or (kind == _BANNED and outer.f_code.co_name == "<module>"):
                return
            outer = outer.f_back
        hits.append((banned[os.path.realpath(frame.f_code.co_filename)], frame.f_code.co_qualname))

    def profiler(frame, event, _arg):
        # hot path: one comparison for C calls and returns, one dict lookup for Python calls
        if event == "call":
            kind = kinds.get(frame.f_code.co_filename)
            if kind is None:
                kind = kind_of(frame.f_code.co_filename)
            if kind == _BANNED and not hits:
                inspect(frame)

    previous = sys.getprofile()
    sys.setprofile(profiler)
    try:
        result = fn(*args, **kwargs)
    except Exception:
        sys.setprofile(previous)
        if hits:
            _refuse(fn, *hits[0])
        raise
    finally:
        sys.setprofile(previous)
    if hits:
        _refuse(fn, *hits[0])
    return result


_CHECK_CODE = check_own_work.__code__
_BANNED, _PERMITTED = 1, 2
