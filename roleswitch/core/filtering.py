"""Fuzzy filtering of targets, at a cost that does not grow with the catalogue in Python.

Every whitespace-separated term must appear as a subsequence within one field
of a target's search text (`prdadm` finds `prod/Admin`); fields are separate
lines. All texts are joined into one string, each prefixed by its index, and a
term becomes one regular expression run over that string by `re.findall`, in
C: the loop over 10,000 targets never runs in Python, so a keystroke costs
about the same at 10 targets or 10,000. Results are cached by query, so
deleting a character back to an earlier query is a dictionary lookup.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Sequence

_CACHE_SIZE = 64
_NARROW_IN_PYTHON = 2000  # below this many candidates, a loop over them beats a full pass
_RECORD = "\x00"  # starts a record: "\x00<index>\x01<text>"
_INDEX_END = "\x01"


class TargetFilter:
    """Matches queries against a fixed list of lowercase search texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._count = len(texts)
        self._texts = texts
        self._joined: str | None = None  # built on the first query, not at start-up
        self._cache: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._term_cache: dict[str, tuple[int, ...]] = {}  # "team 0" reuses what "team" found
        self._by_char: dict[str, tuple[int, ...]] | None = None  # see prepare()
        self._all = tuple(range(self._count))

    @property
    def _blob(self) -> str:
        if self._joined is None:
            # The separators are removed from texts so a record cannot be forged by its content.
            self._joined = "".join(
                f"{_RECORD}{i}{_INDEX_END}{text.replace(_RECORD, ' ').replace(_INDEX_END, ' ')}"
                for i, text in enumerate(self._texts)
            )
        return self._joined

    def __len__(self) -> int:
        return self._count

    def matches(self, query: str) -> tuple[int, ...]:
        """Indices of the texts that match `query`, in their original order."""
        key = " ".join(query.lower().split())
        if not key:
            return self._all
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        base = None
        for length in range(len(key) - 1, 0, -1):
            base = self._cache.get(key[:length])
            if base is not None:
                break
        terms = list(dict.fromkeys(key.split(" ")))
        if base is not None and len(base) <= _NARROW_IN_PYTHON:
            # Typing on from a short earlier result: only those texts can still match.
            patterns = [_term_pattern(term, anchored=False) for term in terms]
            result = tuple(i for i in base if all(p.search(self._texts[i]) for p in patterns))
        else:
            result = self._scan(terms)
        self._cache[key] = result
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def prepare(self) -> None:
        """Build the joined text and the one-character index now (when idle), not on
        the first keystroke of a query, which matches almost everything."""
        _ = self._blob
        if self._by_char is None:
            by_char: dict[str, list[int]] = {}
            for index, text in enumerate(self._texts):
                for ch in set(text) - {"\n"}:
                    by_char.setdefault(ch, []).append(index)
            self._by_char = {ch: tuple(indices) for ch, indices in by_char.items()}

    def _scan(self, terms: list[str]) -> tuple[int, ...]:
        """Every record matching all `terms`, found by one C-level pass per term."""
        result: tuple[int, ...] | None = None
        for term in terms:
            hits = self._term_cache.get(term)
            if hits is None and len(term) == 1 and self._by_char is not None:
                hits = self._by_char.get(term, ())
            if hits is None:
                # One match at most per record, in record order: sorted, no duplicates.
                hits = tuple(map(int, _term_pattern(term).findall(self._blob)))
                if len(self._term_cache) >= _CACHE_SIZE:
                    self._term_cache.pop(next(iter(self._term_cache)))
                self._term_cache[term] = hits
            if result is None:
                result = hits
            else:
                keep = set(hits)
                result = tuple(i for i in result if i in keep)
            if not result:
                break
        return result or ()


@functools.lru_cache(maxsize=256)
def _term_pattern(term: str, *, anchored: bool = True) -> re.Pattern[str]:
    """`term` as a subsequence within one line of a text.

    Each gap skips only characters that are not the next one wanted (earliest match
    first), possessively, so a text that does not match fails without backtracking.
    Anchored, it matches a whole record of the joined string and captures its index.
    """
    chain = re.escape(term[0])
    for ch in term[1:]:
        chain += f"[^{re.escape(ch)}\\n\\x00]*+{re.escape(ch)}"
    if not anchored:
        return re.compile(chain)
    return re.compile(f"\\x00(\\d+)\\x01[^\\x00]*?{chain}")
