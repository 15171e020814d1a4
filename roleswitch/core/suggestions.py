"""Target names close to a mistyped one, for "did you mean" hints."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def similar_names(name: str, names: Iterable[str], limit: int = 3) -> list[str]:
    """The same name in another case if there is one; else up to `limit` close
    spellings (difflib), then names that contain what was typed, ignoring case."""
    by_lower: dict[str, str] = {}
    for candidate in names:
        by_lower.setdefault(candidate.lower(), candidate)
    typed = name.lower()
    if typed in by_lower:
        return [by_lower[typed]]  # only the case was wrong
    found = [by_lower[m] for m in difflib.get_close_matches(typed, list(by_lower), n=limit, cutoff=0.6)]
    if typed:
        found += [original for lower, original in by_lower.items() if typed in lower]
    return list(dict.fromkeys(found))[:limit]
