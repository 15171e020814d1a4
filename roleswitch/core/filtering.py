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
character back to an earlier query is a dictionary lookup. Only the last
`QUERIES_REMEMBERED` queries are kept (a result can hold every index, and a session
of typing would otherwise keep 64 of each kind): enough to delete a long query back
key by key, and the memory stays that of a few queries however long the person types.

`rank` orders the matches by how well they match, so the best one can be
highlighted: per term, a field that is exactly the term beats a field that
starts a word with it, which beats the term anywhere as one piece, which
beats its letters scattered (`proto` ranks old-prototype above production).
Each of those tests is one more pass in C over the texts that passed the
weaker one, and the exact test is a dictionary lookup.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, OrderedDict
from collections.abc import Sequence
from itertools import compress, filterfalse, groupby, repeat
from operator import contains
from typing import Generic, TypeVar

QUERIES_REMEMBERED = 16

_Quality = tuple[tuple[int, ...], ...]  # a term's (in one piece, starting a word, exact)

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")


class Recent(Generic[_Key, _Value]):
    """The `size` most recently used entries: a lookup refreshes one, a new one past
    `size` drops the least recently used."""

    __slots__ = ("_entries", "size")

    def __init__(self, size: int = QUERIES_REMEMBERED) -> None:
        self.size = size
        self._entries: OrderedDict[_Key, _Value] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: _Key) -> _Value | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def peek(self, key: _Key) -> _Value | None:
        """The entry without refreshing it (a look that is not a use)."""
        return self._entries.get(key)

    def put(self, key: _Key, value: _Value) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


class TargetFilter:
    """Matches queries against a fixed list of lowercase search texts."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._count = len(texts)
        self._source = texts
        self._texts: list[str] | None = None  # made on first use (or by prepare), not at start-up
        self._cache: Recent[str, tuple[int, ...]] = Recent()
        self._term_cache: Recent[str, tuple[int, ...]] = Recent()  # "team 0" reuses what "team" found
        self._by_char: dict[str, tuple[int, ...]] | None = None  # see prepare()
        self._all = tuple(range(self._count))
        self._tiers: Recent[str, tuple[tuple[int, ...], ...]] = Recent()
        # query -> (its matches, term -> (in one piece, starting a word, exact)); see rank()
        self._qualities: Recent[str, tuple[tuple[int, ...], dict[str, _Quality]]] = Recent()
        # see _exact(): a field found in one text maps to its index, not to a tuple of one
        self._by_field: dict[str, int | tuple[int, ...]] | None = None
        self._by_word_start: dict[str, tuple[int, ...]] | None = None  # see prepare()

    def __len__(self) -> int:
        return self._count

    def matches(self, query: str) -> tuple[int, ...]:
        """Indices of the texts that match `query`, in their original order."""
        key = " ".join(query.lower().split())
        if not key:
            return self._all
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        terms = list(dict.fromkeys(key.split(" ")))
        base = None
        for length in range(len(key) - 1, 0, -1):
            base = self._cache.peek(key[:length])
            if base is not None:
                # What the shorter query matched already matches each of its terms.
                done = set(key[:length].split(" "))
                terms = [term for term in terms if term not in done]
                if len(base) == self._count:
                    base = None  # narrowing from everything is no narrowing
                break
        result = self._search(terms, base)
        self._cache.put(key, result)
        return result

    def rank(self, query: str) -> tuple[tuple[int, ...], ...]:
        """The matches of `query` in tiers, best first: each tier ascending, together
        exactly `matches(query)`. One tier when every match is as good as another."""
        key = " ".join(query.lower().split())
        matches = self.matches(key)
        if not key or len(matches) <= 1:
            return (matches,)
        cached = self._tiers.get(key)
        if cached is not None:
            return cached
        earlier = self._earlier_qualities(key)
        keep: set[int] | None = None
        found: dict[str, tuple[tuple[int, ...], ...]] = {}
        qualities = []
        for term in dict.fromkeys(key.split(" ")):
            quality = earlier[1].get(term) if earlier is not None else None
            if quality is None:
                quality = self._quality(term, matches)
            elif len(earlier[0]) != len(matches):  # the shorter query's, narrowed to these matches
                keep = set(matches) if keep is None else keep
                quality = tuple(tuple(compress(part, map(keep.__contains__, part))) for part in quality)
            found[term] = quality
            whole, starts, exact = quality
            if exact or len(starts) != len(matches):  # else this term tells no match from another
                qualities.append(quality)
        self._qualities.put(key, (matches, found))
        if not qualities:
            tiers: tuple[tuple[int, ...], ...] = (matches,)
        elif len(qualities) == 1:
            whole, starts, exact = qualities[0]
            tiers = (exact, _without(starts, exact), _without(whole, starts), _without(matches, whole))
        else:
            # A point per term for being in one piece, one for starting a word, two for exact.
            points: Counter[int] = Counter()
            for whole, starts, exact in qualities:
                points.update(whole)
                points.update(starts)
                points.update(exact)
                points.update(exact)
            ranked = sorted(sorted(points), key=points.__getitem__, reverse=True)  # stable: ties ascending
            tiers = tuple(tuple(group) for _, group in groupby(ranked, key=points.__getitem__))
            tiers += (tuple(filterfalse(points.__contains__, matches)),)
        tiers = tuple(tier for tier in tiers if tier)
        self._tiers.put(key, tiers)
        return tiers

    def _earlier_qualities(self, key: str):
        """What the longest shorter query typed before found for each of its terms, with
        its matches: typing on only narrows those, so a term is never checked twice."""
        for length in range(len(key) - 1, 0, -1):
            earlier = self._qualities.peek(key[:length])
            if earlier is not None:
                return earlier
        return None

    def _quality(self, term: str, matches: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
        """Of `matches` (all matching `term`), ascending: those holding `term` in one
        piece, those of these where it starts a word, those with a field that is `term`."""
        texts = self._text_list()
        if len(term) == 1:
            whole: tuple[int, ...] = matches  # one character is always in one piece
            if self._by_word_start is not None:
                starts = self._by_word_start.get(term, ())
                if len(matches) != self._count:
                    starts = _both(starts, matches)
                return whole, starts, _both(self._exact(term), starts)
        else:
            whole = tuple(compress(matches, map(contains, map(texts.__getitem__, matches), repeat(term))))
        starts = tuple(compress(whole, map(_word_start_pattern(term).search, map(texts.__getitem__, whole))))
        return whole, starts, _both(self._exact(term), starts)

    def _exact(self, term: str) -> tuple[int, ...]:
        """The texts with a field that is exactly `term`, ascending: one lookup."""
        if self._by_field is None:
            by_field: dict[str, list[int]] = {}
            for index, text in zip(self._all, self._text_list(), strict=True):  # _all's ints, shared
                for field in set(text.split("\n")):
                    by_field.setdefault(field, []).append(index)
            # In place, as _as_tuples; most fields are in one text, and a tuple of one
            # costs 56 bytes more than the index alone (unwrapped below).
            packed: dict[str, int | tuple[int, ...]] = by_field  # type: ignore[assignment]
            for field, indices in by_field.items():
                packed[field] = indices[0] if len(indices) == 1 else tuple(indices)
            self._by_field = packed
        found = self._by_field.get(term, ())
        return (found,) if isinstance(found, int) else found

    def prepare(self) -> None:
        """Make the texts and the one-character index now (when idle), not on the first
        keystroke of a query, which matches almost everything."""
        texts = self._text_list()
        if self._by_char is None:
            by_char: dict[str, list[int]] = {}
            for index, text in zip(self._all, texts, strict=True):
                for ch in set(text):
                    by_char.setdefault(ch, []).append(index)
            # Tuples, not sets: a third of the memory; a query makes a set of the smallest.
            self._by_char = _as_tuples(by_char)
        if self._by_word_start is None:
            by_word_start: dict[str, list[int]] = {}
            find_starts = _WORD_START.findall
            for index, text in zip(self._all, texts, strict=True):
                for ch in set(find_starts(text)):
                    by_word_start.setdefault(ch, []).append(index)
            self._by_word_start = _as_tuples(by_word_start)
        self._exact("")

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
                self._term_cache.put(term, hits)
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
            return self._all
        found = sorted((self._by_char.get(ch, ()) for ch in set(term)), key=len)
        if len(found) == 1:
            return found[0]
        return sorted(set(found[0]).intersection(*found[1:]))

    def _check(self, term: str, candidates: Sequence[int]) -> tuple[int, ...]:
        """The candidates whose text matches `term`."""
        texts = self._text_list()
        search = _term_pattern(term).search
        if candidates is self._all:  # its ints, not new ones: results share them
            return tuple(compress(candidates, map(search, texts)))
        return tuple(compress(candidates, map(search, map(texts.__getitem__, candidates))))


def _as_tuples(lists: dict[str, list[int]]) -> dict[str, tuple[int, ...]]:
    """The same dict with each list made a tuple in place: each list goes as its tuple
    comes, so the index is never held twice (a peak of memory the size of the index)."""
    converted: dict[str, tuple[int, ...]] = lists  # type: ignore[assignment]
    for key, indices in lists.items():
        converted[key] = tuple(indices)
    return converted


def _both(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """The indices in both ascending tuples, ascending."""
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    if not small:
        return ()
    keep = set(small).intersection(large)
    return tuple(compress(small, map(keep.__contains__, small)))


def _without(first: tuple[int, ...], second: tuple[int, ...]) -> tuple[int, ...]:
    """The indices of ascending `first` not in `second`, ascending."""
    if not second:
        return first
    return tuple(filterfalse(set(second).__contains__, first))


# The first character of every word: one not after a letter or a digit.
_WORD_START = re.compile(r"(?<![^\W_])[^\n]")


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


def match_spans(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """The spans of `text` that `terms` match, merged and in order: each term where it
    matches best (at a word's start, else in one piece, else letter by letter)."""
    lower = text.lower()
    if len(lower) != len(text):
        return []  # lowercasing moved the letters: mark nothing rather than the wrong ones
    spans: list[tuple[int, int]] = []
    for term in terms:
        found = _word_start_pattern(term).search(lower)
        at = found.start() if found else lower.find(term)
        if at >= 0:
            spans.append((at, at + len(term)))
            continue
        letters, at = [], 0
        for ch in term:
            at = lower.find(ch, at)
            if at < 0:
                break
            letters.append((at, at + 1))
            at += 1
        else:
            spans.extend(letters)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


@functools.lru_cache(maxsize=256)
def _word_start_pattern(term: str) -> re.Pattern[str]:
    """`term` in one piece at the start of a word: not after a letter or a digit.

    The term comes first and the look back second, so the search skips ahead to the
    term as fast as to any literal."""
    return re.compile(f"{re.escape(term)}(?<![^\\W_]{re.escape(term)})")
