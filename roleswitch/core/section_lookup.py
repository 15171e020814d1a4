"""Find one section of an INI file without parsing all of it.

`roleswitch status` runs in shell prompts, against credentials files that may
hold thousands of sections. It needs one section, so it looks for that
section's header with `str.find` and reads only the lines below it. The rules
are those of `ini.scan` (tested against it); whenever a file is unusual enough
that a shortcut could differ (an indented header, which `scan` may read as a
continuation line), this falls back to `scan` itself.
"""

from __future__ import annotations

_COMMENT = "#;"


def section_values(text: str, name: str) -> dict[str, str] | None:
    """The keys of section `[name]` in `text` (no BOM), or None if it is missing or repeated."""
    needle = f"[{name}]"
    headers = []
    start = text.find(needle)
    while start != -1:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        before = text[line_start:start]
        after = text[start + len(needle) : line_end]
        if not before.strip() and "]" not in after:
            if before:  # an indented header: let the full scanner decide what it is
                return _scanned(text, name)
            headers.append(line_end)
        start = text.find(needle, start + 1)
    if len(headers) != 1:
        return None
    return _read_keys(text, headers[0] + 1)


def _read_keys(text: str, position: int) -> dict[str, str]:
    values: dict[str, str] = {}
    last_key = None
    key_indent = 0
    for line in text[position:].split("\n"):
        stripped = line.strip()
        if not stripped or stripped[0] in _COMMENT:
            continue
        indent = len(line) - len(line.lstrip())
        if last_key is not None and indent > key_indent:
            values[last_key] += "\n" + stripped
            continue
        if stripped.startswith("[") and "]" in stripped:
            break
        cut = _first_separator(stripped)
        if cut <= 0:  # not `key = value`, or no key
            last_key = None
            continue
        key = stripped[:cut].rstrip().lower()
        if not key:
            last_key = None
            continue
        if key not in values:
            values[key] = stripped[cut + 1 :].lstrip()
        last_key = key
        key_indent = indent
    return values


def _first_separator(line: str) -> int:
    positions = [p for p in (line.find("="), line.find(":")) if p != -1]
    return min(positions) if positions else -1


def _scanned(text: str, name: str) -> dict[str, str] | None:
    from roleswitch.core.ini import scan

    found = scan(text).find(name)
    return dict(found[0].values) if len(found) == 1 else None
