"""autograder.inside.plaindata: only numbers, strings, numeric arrays and containers of them cross, within caps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from autograder.inside import plaindata
from autograder.inside.plaindata import Caps, NotPlainData, from_plain, to_plain


def roundtrip(value, **kw):
    return from_plain(json.loads(plaindata.dumps(to_plain(value, **kw))), **kw)


def test_plain_values_round_trip_with_their_types():
    value = {
        "f": 1.5,
        "i": -3,
        "b": True,
        "n": None,
        "s": "héllo",
        "nan": float("nan"),
        "inf": -float("inf"),
        "t": (1, [2.0, np.float32(3.5)]),
        7: np.int64(9),
        "a": np.arange(6, dtype=np.float32).reshape(2, 3),
        "c": np.array([1 + 2j]),
        "e": np.zeros((0, 4)),
        "bool": np.array([True, False]),
    }
    back = roundtrip(value)
    assert list(back) == list(value)
    assert back["t"] == (1, [2.0, 3.5]) and type(back["t"]) is tuple and type(back["t"][1][1]) is np.float32
    assert type(back[7]) is np.int64 and back[7] == 9
    assert type(back["f"]) is float and type(back["i"]) is int and back["b"] is True and back["n"] is None
    assert np.isnan(back["nan"]) and back["inf"] == -float("inf")
    assert (
        back["a"].dtype == np.float32 and back["a"].shape == (2, 3) and np.array_equal(back["a"], value["a"])
    )
    assert back["a"].flags.writeable and back["e"].shape == (0, 4) and back["bool"].dtype == bool
    assert back["c"][0] == 1 + 2j


class Liar:
    def __eq__(self, other):
        return True


class Sub(np.ndarray):
    pass


@pytest.mark.parametrize(
    "value, words",
    [
        (Liar(), "a Liar object"),
        (np.arange(3).view(Sub), "subclass of numpy.ndarray"),
        (np.array([1, "a"], dtype=object), "dtype |O"),
        (np.array(["ab"]), "dtype <U2"),
        (np.zeros(2, dtype=[("x", "f8")]), "numbers only"),
        (lambda x: x, "a function object"),
        ({(1, 2): 3}, "dict key that is a tuple"),
        (2**70, "integer too large"),
        (np.arange(3).astype(">f8"), "native byte order"),
    ],
)
def test_anything_else_is_refused_with_a_clear_message(value, words):
    with pytest.raises(NotPlainData, match=None) as info:
        to_plain(value, what="hinge_loss returned a value that")
    assert words in str(info.value)


def test_a_generator_crosses_as_its_state_and_draws_the_same_numbers():
    rng = np.random.default_rng(7)
    rng.normal(size=3)  # a generator part way through its stream
    rng.integers(2**31, size=1, dtype=np.uint32)  # leaves a buffered 32-bit half (has_uint32 = 1)
    back = roundtrip({"rng": rng})["rng"]
    assert type(back) is np.random.Generator and back is not rng
    assert back.bit_generator.state == rng.bit_generator.state
    np.testing.assert_array_equal(back.normal(size=5), rng.normal(size=5))
    np.testing.assert_array_equal(
        back.integers(10, size=5, dtype=np.uint32), rng.integers(10, size=5, dtype=np.uint32)
    )
    # only the default bit generator: another one (or the legacy RandomState) is refused by name
    for other, words in ((np.random.Generator(np.random.MT19937(0)), "a Generator object"),
                         (np.random.RandomState(0), "a RandomState object")):  # fmt: skip
        with pytest.raises(NotPlainData, match=words):
            to_plain(other)


@pytest.mark.parametrize(
    "body",
    [
        ["1", "1", 0],  # three fields
        [1, "1", 0, 0],  # a number where a decimal string belongs
        ["-1", "1", 0, 0],
        ["1e5", "1", 0, 0],
        ["", "1", 0, 0],
        [str(2**128), "1", 0, 0],
        ["\u00b2", "1", 0, 0],  # a digit to str.isdigit, not to int()
        ["9" * 400, "1", 0, 0],
        ["1", "1", 2, 0],
        ["1", "1", True, 0],
        ["1", "1", 0, 2**32],
        ["1", "1", 0, -1],
        ["1", "1", 0, 1.5],
    ],
)
def test_malformed_generator_states_are_refused(body):
    with pytest.raises(NotPlainData, match="generator state"):
        from_plain({"$rng": body})


def test_a_value_that_contains_itself_is_refused():
    loop = []
    loop.append(loop)
    with pytest.raises(NotPlainData, match="contains itself"):
        to_plain(loop)


def test_caps_bound_what_is_encoded_and_decoded():
    small = Caps(array_bytes=800, items=50, text=10, depth=3)
    with pytest.raises(NotPlainData, match="MB of array data"):
        to_plain(np.zeros(101), caps=small)
    with pytest.raises(NotPlainData, match="items"):
        to_plain(list(range(60)), caps=small)
    with pytest.raises(NotPlainData, match="characters"):
        to_plain("x" * 11, caps=small)
    with pytest.raises(NotPlainData, match="nested"):
        to_plain([[[[[1]]]]], caps=small)
    with pytest.raises(NotPlainData):
        from_plain({"$array": ["<f8", [10**6, 10**6], ""]}, caps=small)


@pytest.mark.parametrize(
    "data",
    [
        {"$array": ["|O", [1], "AAAAAAAAAAA="]},
        {"$array": ["<f8", [2], "AAAAAAAAAAA="]},  # 8 bytes for 2 float64
        {"$array": ["<f8", [-1], ""]},
        {"$array": ["<f8", [1], "!!!notbase64"]},
        {"$array": ["<f8" * 5, [1], "AAAAAAAAAAA="]},
        {"$scalar": ["<M8[s]", "AAAAAAAAAAA="]},
        {"$pickle": "gASV"},
        {"$tuple": "abc"},
        {"$dict": [[[1], 2]]},
        {"a": 1, "b": 2},
        {"$fn": 3},
        {"$float": "1e999"},
    ],
)
def test_malformed_or_hostile_structures_are_refused(data):
    with pytest.raises(NotPlainData):
        from_plain(data)


def test_messages_must_be_json_objects_without_bare_constants():
    assert plaindata.loads('{"op": "return"}') == {"op": "return"}
    for text in ("[1]", "NaN", '{"x": NaN}', "{", "x" * 50):
        with pytest.raises(NotPlainData):
            plaindata.loads(text)
    with pytest.raises(NotPlainData):
        plaindata.loads('{"a": 1}', caps=Caps(message=4))
    with pytest.raises(NotPlainData):
        plaindata.loads("[" * 100_000 + "]" * 100_000)


def test_callables_become_references_only_where_the_evaluator_allows_it():
    table = []

    def ref(fn):
        table.append(fn)
        return len(table) - 1

    data = to_plain([np.sum, 2], callable_ref=ref)
    assert data == [{"$fn": 0}, 2] and table == [np.sum]
    assert from_plain(data, callable_of=lambda k: f"callback {k}") == ["callback 0", 2]
