"""Which profile each section of the AWS config file defines, exactly as botocore decides.

botocore's `build_profile_map` takes any section whose name starts with `profile`,
splits it like a shell would (`shlex.split`) and, when that gives two words, names the
profile after the second: `[profile  work]`, `[profile "work"]`, `[profile\\twork]`,
`[profile work ]` and `[profile 'work']` all define `work`, and so does `[default]`
besides `[profile default]`. When two sections define the same profile the later one
wins whole, and `[DEFAULT]`'s keys are merged into every section.

The credentials file's shadowing check, the SDK profiles' ownership check and the
catalogue all ask here, so none of them can be fooled by a spelling the others miss.
"""

from __future__ import annotations

import re

from roleswitch.core.ini import DEFAULTS, Section, has_lone_cr, header_name, scan, scan_from

BOM = "\ufeff"
_SHLEX_SPECIAL = ("'", '"', "\\")
# A `[profile...` header with a quote or backslash after it: shlex may make any name of it.
_QUOTED_PROFILE_HEADER = re.compile(rb"\[profile[^\r\n]*[\"'\\]")
_SHLEX_SPECIAL_BYTES = (b"'", b'"', b"\\")
_SHLEX_SPACE = str.maketrans("\t\r\n", "   ")
_PLAIN_PROFILE = re.compile(r"profile ([^\s'\"\\]+)")


def profile_name(section_name: str) -> str | None:
    """The profile `[section_name]` defines in the config file, or None if it defines none."""
    plain = _PLAIN_PROFILE.fullmatch(section_name)
    if plain is not None:
        return plain[1]  # the usual `profile NAME`, answered at the catalogue's pace
    if section_name == "default":
        return "default"
    if not section_name.startswith("profile"):
        return None
    if any(mark in section_name for mark in _SHLEX_SPECIAL):
        import shlex  # only for quoted or escaped names: it costs 10 µs a call

        try:
            parts = shlex.split(section_name)
        except ValueError:
            return None
    else:
        parts = [part for part in section_name.translate(_SHLEX_SPACE).split(" ") if part]
    return parts[1] if len(parts) == 2 else None


def sections_of(sections: list[Section], profile: str) -> list[Section]:
    """Every section that defines `profile`, in file order (botocore uses the last)."""
    return [s for s in sections if profile_name(s.name) == profile]


def defaults_of(sections: list[Section]) -> dict[str, str]:
    """The keys `[DEFAULT]` gives to every section (it may appear more than once)."""
    merged: dict[str, str] = {}
    for section in sections:
        if section.name == DEFAULTS:
            merged.update(section.values)
    return merged


def find_profile(data: bytes, profile: str) -> list[Section]:
    """The sections of config file `data` that define `profile`, with `[DEFAULT]`'s keys
    merged into their values as botocore sees them.

    The usual case is answered without scanning a large file: a header defining
    `profile` either contains the name literally or has a quote or backslash in it, so
    when there is no such quote, only the lines holding the name are looked at, and only
    the sections they start are scanned.
    """
    starts = _plain_headers(data, profile)
    if starts is not None:
        return [scan_from(data, start).sections[0] for start in starts]
    text = data.decode("utf-8", errors="replace").removeprefix(BOM)
    sections = scan(text).sections
    defaults = defaults_of(sections)
    found = sections_of(sections, profile)
    if defaults:
        for section in found:
            section.values = {**defaults, **section.values}
    return found


def _plain_headers(data: bytes, profile: str) -> list[int] | None:
    """Where the headers defining `profile` start, when all are spelt the plain way at
    column 0; None when only a full scan can tell (or `[DEFAULT]` adds keys)."""
    if f"[{DEFAULTS}]".encode() in data or has_lone_cr(data):
        return None
    if any(mark in data for mark in _SHLEX_SPECIAL_BYTES) and _QUOTED_PROFILE_HEADER.search(data):
        return None  # rare: a header with quotes may spell the name any way
    plain = {"default", "profile default"} if profile == "default" else {f"profile {profile}"}
    name = profile.encode("utf-8")
    starts = []
    at = data.find(name)
    while at != -1:
        line_start = data.rfind(b"\n", 0, at) + 1
        line_end = data.find(b"\n", at)
        line_end = len(data) if line_end == -1 else line_end
        line = data[line_start:line_end]
        section = header_name(line.decode("utf-8", errors="replace").strip())
        if section is not None and profile_name(section) == profile:
            if section not in plain or not line.startswith(b"["):
                return None  # an unusual spelling, or an indented header only scan can place
            starts.append(line_start)
        at = data.find(name, line_end)
    return starts
