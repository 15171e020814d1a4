"""The filter remembers only its last few queries: a session of typing does not keep
growing its memory, and deleting a query back key by key still searches nothing."""

from __future__ import annotations

import tracemalloc

from roleswitch.core.filtering import QUERIES_REMEMBERED, Recent, TargetFilter


def texts(count: int) -> list[str]:
    return [f"acct{n}-admin\nteam {n // 10:05d}\narn:aws:iam::{n:012d}:role/admin" for n in range(count)]


def test_recent_keeps_the_most_recently_used():
    recent: Recent[str, int] = Recent(2)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # used: now the newest
    recent.put("c", 3)
    assert "b" not in recent and recent.get("a") == 1 and recent.get("c") == 3
    assert recent.peek("a") == 1 and len(recent) == 2


def test_typing_many_queries_keeps_the_memory_of_a_few():
    matcher = TargetFilter(texts(20_000))
    matcher.prepare()
    queries = [f"{word}{n}" for n in range(10) for word in ("a", "ad", "t", "te", "ar", "ro")]
    tracemalloc.start()
    try:
        for query in queries[:QUERIES_REMEMBERED]:
            matcher.rank(query)
        few, _ = tracemalloc.get_traced_memory()
        for query in queries[QUERIES_REMEMBERED:]:
            matcher.rank(query)
        many, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # 60 queries, most matching thousands of texts: what stays is what the last few left.
    assert many < few * 1.5, (few, many)


def test_deleting_back_key_by_key_searches_nothing(monkeypatch):
    matcher = TargetFilter(texts(2_000))
    matcher.prepare()
    query = "team 00 admin"  # 13 keys: all its prefixes fit
    typed = {query[:n]: matcher.rank(query[:n]) for n in range(1, len(query) + 1)}
    searched: list[object] = []
    monkeypatch.setattr(matcher, "_search", lambda *args: searched.append(args) or ())
    for n in range(len(query) - 1, 0, -1):
        assert matcher.rank(query[:n]) == typed[query[:n]]
    assert searched == []
