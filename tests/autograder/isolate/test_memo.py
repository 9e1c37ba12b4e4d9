"""autograder.isolate.memo: the same result for an equal input, and never more than its character budget."""

from __future__ import annotations

from autograder.isolate.memo import BoundedMemo


def counted():
    calls = []

    def compute(text):
        calls.append(text)
        return text.upper()

    return calls, compute


def test_an_equal_input_is_computed_once():
    memo, (calls, compute) = BoundedMemo(), counted()
    assert [memo.get(("k", t), lambda t=t: compute(t)) for t in ("ab", "cd", "ab", "ab")] == [
        "AB",
        "CD",
        "AB",
        "AB",
    ]
    assert calls == ["ab", "cd"]


def test_keys_of_different_kinds_do_not_collide():
    memo = BoundedMemo()
    assert memo.get(("html", "x"), lambda: "cleaned") == "cleaned"
    assert memo.get(("md", "x"), lambda: "rendered") == "rendered"


def test_a_flood_of_distinct_inputs_stays_within_the_budget():
    """A class of hostile notebooks, each displaying new text, cannot grow the grader's memory."""
    memo = BoundedMemo(max_chars=10_000, max_item=1_000)
    for i in range(5_000):
        text = f"{i:06d}" * 80  # 480 characters, 960 with its result
        memo.get(("html", text), lambda text=text: text)
        assert memo.chars <= 10_000
    assert 0 < len(memo) <= 10


def test_an_input_past_max_item_is_computed_every_time_and_never_kept():
    memo, (calls, compute) = BoundedMemo(max_item=100), counted()
    big = "x" * 101
    assert memo.get(("k", big), lambda: compute(big)) == "X" * 101
    assert memo.get(("k", big), lambda: compute(big)) == "X" * 101
    assert len(calls) == 2 and len(memo) == 0 and memo.chars == 0


def test_a_small_input_with_a_large_result_is_not_kept():
    memo = BoundedMemo(max_item=100)
    assert memo.get(("k", "a"), lambda: "y" * 500) == "y" * 500
    assert len(memo) == 0
