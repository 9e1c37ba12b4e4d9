"""A bounded memo for pure text transforms that meet the same input again and again.

Grading a class renders the same instructor cells once per student: the same markdown, the same
code to highlight, the same figures to sanitize. Remembering the results saves most of the feedback
pages' CPU. The memo is bounded by characters, not entries: a submission can display a 10 MB
output, and a class of them must not pile up in the grader's memory. Inputs past ``max_item`` are
computed and not kept; when the total would pass ``max_chars`` the memo starts afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class BoundedMemo:
    def __init__(self, max_chars: int = 16_000_000, max_item: int = 200_000):
        self.max_chars, self.max_item = max_chars, max_item
        self._kept: dict = {}
        self._chars = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def chars(self) -> int:
        return self._chars

    def get(self, key: tuple[str, ...], compute: Callable[[], str]) -> str:
        """``compute()``, or what it returned for an equal ``key`` before."""
        size = sum(len(k) for k in key if isinstance(k, str))
        if size > self.max_item:
            return compute()
        with self._lock:
            hit = self._kept.get(key)
        if hit is not None:
            return hit
        value = compute()
        size += len(value)
        if size > self.max_item:
            return value
        with self._lock:
            if self._chars + size > self.max_chars:
                self._kept.clear()
                self._chars = 0
            if key not in self._kept:
                self._kept[key] = value
                self._chars += size
        return value
