"""Fuzzy filtering of targets, incremental so each keystroke stays cheap.

Every whitespace-separated term must appear as a subsequence within one field of
a target's search text (`prdadm` finds `prod/Admin`); fields are separate lines.
Typing more only narrows, so a query is matched against the results of its
longest cached prefix; deleting a character finds the shorter query already cached.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Sequence

_CACHE_SIZE = 64


class TargetFilter:
    """Matches queries against a fixed list of lowercase search texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = list(texts)
        self._cache: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._all = tuple(range(len(self._texts)))

    def __len__(self) -> int:
        return len(self._texts)

    def matches(self, query: str) -> tuple[int, ...]:
        """Indices of the texts that match `query`, in their original order."""
        key = " ".join(query.lower().split())
        if not key:
            return self._all
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        base = self._all
        for length in range(len(key) - 1, 0, -1):
            prefix = self._cache.get(key[:length])
            if prefix is not None:
                base = prefix
                break
        patterns = [_pattern(term) for term in key.split(" ")]
        texts = self._texts
        found = tuple(i for i in base if all(p.search(texts[i]) for p in patterns))
        self._cache[key] = found
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return found


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(ch) for ch in term))
