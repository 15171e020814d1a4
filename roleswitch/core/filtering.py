"""Fuzzy filtering of targets, at a cost that does not grow with the catalogue in Python.

Every whitespace-separated term must appear as a subsequence within one field
of a target's search text (`prdadm` finds `prod/Admin`); fields are separate
lines. A term is one compiled regular expression, and the texts it is tried on
are the fewest known to be worth trying:

- the result of the query typed one key earlier, when there is one (typing on
  only narrows it);
- else the texts holding every character of the term, from a one-character
  index built while idle (`prepare`);
- else all of them.

The candidates are checked by `map` and `compress`, so the loop over 10,000
texts runs in C, not in Python. Results are cached by query, so deleting a
character back to an earlier query is a dictionary lookup.
"""

from __future__ import annotations

import functools
import re
from collections import OrderedDict
from collections.abc import Sequence
from itertools import compress

_CACHE_SIZE = 64


class TargetFilter:
    """Matches queries against a fixed list of lowercase search texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._count = len(texts)
        self._source = texts
        self._texts: list[str] | None = None  # made on first use (or by prepare), not at start-up
        self._cache: OrderedDict[str, tuple[int, ...]] = OrderedDict()
        self._term_cache: dict[str, tuple[int, ...]] = {}  # "team 0" reuses what "team" found
        self._by_char: dict[str, tuple[int, ...]] | None = None  # see prepare()
        self._all = tuple(range(self._count))

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
        terms = list(dict.fromkeys(key.split(" ")))
        base = None
        for length in range(len(key) - 1, 0, -1):
            base = self._cache.get(key[:length])
            if base is not None:
                # What the shorter query matched already matches each of its terms.
                done = set(key[:length].split(" "))
                terms = [term for term in terms if term not in done]
                if len(base) == self._count:
                    base = None  # narrowing from everything is no narrowing
                break
        result = self._search(terms, base)
        self._cache[key] = result
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return result

    def prepare(self) -> None:
        """Make the texts and the one-character index now (when idle), not on the first
        keystroke of a query, which matches almost everything."""
        texts = self._text_list()
        if self._by_char is None:
            by_char: dict[str, list[int]] = {}
            for index, text in enumerate(texts):
                for ch in set(text):
                    by_char.setdefault(ch, []).append(index)
            # Tuples, not sets: a third of the memory; a query makes a set of the smallest.
            self._by_char = {ch: tuple(indices) for ch, indices in by_char.items()}

    def _text_list(self) -> list[str]:
        if self._texts is None:
            self._texts = list(self._source)
        return self._texts

    def _search(self, terms: list[str], base: tuple[int, ...] | None) -> tuple[int, ...]:
        """The texts matching every term, narrowing from `base` when it is given."""
        result = base
        for term in terms:
            hits = self._term_cache.get(term)
            if hits is not None:
                result = hits if result is None else _both(result, hits)
            elif result is None:
                # A term's own result, over the whole list: worth remembering.
                candidates = self._candidates(term)
                if len(term) == 1 and self._by_char is not None:
                    hits = tuple(candidates)  # holding the character is the whole test
                else:
                    hits = self._check(term, candidates)
                self._term_cache[term] = hits
                if len(self._term_cache) > _CACHE_SIZE:
                    self._term_cache.pop(next(iter(self._term_cache)))
                result = hits
            else:
                result = self._check(term, result)
            if not result:
                return ()
        return result if result is not None else self._all

    def _candidates(self, term: str) -> Sequence[int]:
        """The texts holding every character of `term`, ascending (all of them until the
        index is prepared)."""
        if self._by_char is None:
            return range(self._count)
        found = sorted((self._by_char.get(ch, ()) for ch in set(term)), key=len)
        if len(found) == 1:
            return found[0]
        return sorted(set(found[0]).intersection(*found[1:]))

    def _check(self, term: str, candidates: Sequence[int]) -> tuple[int, ...]:
        """The candidates whose text matches `term`."""
        texts = self._text_list()
        search = _term_pattern(term).search
        if isinstance(candidates, range) and len(candidates) == len(texts):
            return tuple(compress(candidates, map(search, texts)))
        return tuple(compress(candidates, map(search, map(texts.__getitem__, candidates))))


def _both(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """The indices in both ascending tuples, ascending."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    keep = set(small).intersection(large)
    return tuple(i for i in small if i in keep)


@functools.lru_cache(maxsize=256)
def _term_pattern(term: str) -> re.Pattern[str]:
    """`term` as a subsequence within one line of a text.

    Each gap skips only characters that are not the next one wanted (earliest match
    first), possessively, so a text that does not match fails without backtracking.
    """
    chain = re.escape(term[0])
    for ch in term[1:]:
        chain += f"[^{re.escape(ch)}\\n]*+{re.escape(ch)}"
    return re.compile(chain)
