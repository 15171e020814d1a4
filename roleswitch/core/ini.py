"""A line-based reader for the INI files AWS tools use, keeping every byte.

configparser loses comments, blank lines and line endings, so it cannot be used
to edit a person's credentials file. This scanner keeps the original lines and
records where each section starts and ends; `CredentialsFile` splices new lines
in, and the catalogue reads values out of it. Its rules follow
`configparser.RawConfigParser` as botocore uses it (a differential test holds
every reader here to botocore's own parser): `\n`, `\r\n` and a lone `\r` all end
a line (botocore reads files with universal newlines), `#` and `;` start a
comment only at the start of a line, keys are case-insensitive, `=` or `:`
separates key from value, indented lines continue the previous value (blank
lines inside it are kept), `[DEFAULT]` may repeat, and other duplicate sections
or keys are errors (botocore refuses such a file).
"""

from __future__ import annotations

import re

# Plain slotted classes, not dataclasses: `roleswitch status` reads one section with
# this module from shell prompts, and importing dataclasses (and inspect) costs 8 ms.

# A header line: `[`, at least one character, the line's last `]` (configparser's
# `\[(?P<header>.+)\]` on the stripped line). A line starts after `\n` or a lone `\r`.
_HEADER_RE = re.compile(r"^[^\S\r\n]*\[([^\r\n]+)\]", re.MULTILINE)
_HEADER_AFTER_ANY_BREAK_RE = re.compile(r"(?<![^\r\n])[^\S\r\n]*\[([^\r\n]+)\]")  # 3x slower
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")

# The section configparser merges into every other one (its `default_section`).
DEFAULTS = "DEFAULT"


def section_name_problem(name: str) -> str | None:
    """Why `[name]` would not read back as one section called `name`, or None if it would."""
    if name == DEFAULTS:
        return f"[{DEFAULTS}] is the section whose keys configparser gives to every other section"
    if not name or name != name.strip() or "[" in name or "]" in name or not name.isprintable():
        return f"{name!r} is not a plain section name (printable, no brackets, no surrounding spaces)"
    return None


def split_lines(text: str) -> list[str]:
    """Lines with their endings (`\\n`, `\\r\\n` or a lone `\\r`); the last may have none."""
    return _LINE_RE.findall(text)


def has_lone_cr(text) -> bool:
    """True when a `\\r` not followed by `\\n` ends a line (a `str` or `bytes`).

    botocore reads such a file with universal newlines, so the `\\n`-only fast
    paths below cannot place its lines; they leave it to `scan`.
    """
    cr, crlf = ("\r", "\r\n") if isinstance(text, str) else (b"\r", b"\r\n")
    return cr in text and text.count(cr) != text.count(crlf)


def header_name(stripped: str) -> str | None:
    """The section name of a stripped line, or None if it is not a header."""
    if stripped[:1] == "[":
        end = stripped.rfind("]")
        if end > 1:
            return stripped[1:end]
    return None


class Section:
    """One `[name]` block: `header` is its line index, `content_end` is one past
    its last key or continuation line (trailing blanks and comments are not its
    own), `end` is where the next section starts."""

    __slots__ = ("content_end", "end", "header", "key_lines", "name", "values")

    def __init__(self, name: str, header: int, content_end: int, end: int) -> None:
        self.name = name
        self.header = header
        self.content_end = content_end
        self.end = end
        self.values: dict[str, str] = {}
        self.key_lines: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"Section({self.name!r}, lines {self.header}-{self.content_end}, end {self.end})"


class Problem:
    __slots__ = ("line", "message")

    def __init__(self, line: int, message: str) -> None:
        self.line = line  # 1-based
        self.message = message

    def __repr__(self) -> str:
        return f"Problem({self.line}, {self.message!r})"


class IniDocument:
    __slots__ = ("lines", "problems", "sections")

    def __init__(self, lines: list[str], sections: list[Section], problems: list[Problem]) -> None:
        self.lines = lines
        self.sections = sections
        self.problems = problems

    def find(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    @property
    def newline(self) -> str:
        """The file's own line ending, so an inserted section matches it."""
        for line in self.lines:
            if line.endswith("\n"):
                return "\r\n" if line.endswith("\r\n") else "\n"
            if line.endswith("\r"):
                return "\r"
        return "\n"


def split_key_value(stripped: str) -> tuple[str, str] | None:
    """`key = value` (or `key: value`) -> (key, value); None if the line is not one.

    The same split as configparser's `(.*?)\\s*[=:]\\s*(.*)$`, with string methods:
    this runs once per line of files with tens of thousands of lines.
    """
    equals = stripped.find("=")
    colon = stripped.find(":")
    cut = equals if colon == -1 or (equals != -1 and equals < colon) else colon
    if cut <= 0:
        return None
    key = stripped[:cut].rstrip()
    if not key:
        return None
    return key, stripped[cut + 1 :].lstrip()


def section_names(text: str) -> set[str]:
    """The names of the `[sections]` in `text`, without reading their keys.

    The catalogue only needs to know which profiles the credentials file has.
    (It may also count an indented `[x]` that `scan` reads as a continuation.)
    """
    pattern = _HEADER_AFTER_ANY_BREAK_RE if has_lone_cr(text) else _HEADER_RE
    return {name for name in pattern.findall(text) if name != DEFAULTS}


def scan(text: str) -> IniDocument:
    """Parse `text` into sections without losing a byte of it."""
    lines = split_lines(text)
    sections: list[Section] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    default_keys: set[str] = set()
    current: Section | None = None
    last_key: str | None = None
    key_indent = 0
    blanks = 0  # blank lines since the last value line: configparser keeps them inside a value

    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            blanks += 1
            continue
        if stripped[0] in "#;":
            continue
        indent = len(line) - len(line.lstrip()) if line[0].isspace() else 0
        if indent and current is not None and last_key is not None and indent > key_indent:
            # A continuation line: part of the previous key's value (nested config).
            current.values[last_key] += "\n" * (blanks + 1) + stripped
            current.content_end = index + 1
            blanks = 0
            continue
        blanks = 0
        name = header_name(stripped)
        if name is not None:
            if current is not None:
                current.end = index
            current = Section(name=name, header=index, content_end=index + 1, end=len(lines))
            sections.append(current)
            if name == DEFAULTS:
                pass  # configparser lets [DEFAULT] repeat; its keys must still be unique
            elif name in seen:
                problems.append(
                    Problem(index + 1, f"section [{name}] appears again (first at line {seen[name]})")
                )
            else:
                seen[name] = index + 1
            last_key = None
            continue
        if current is None:
            problems.append(Problem(index + 1, "a line outside any [section]"))
            continue
        pair = split_key_value(stripped)
        if pair is None:
            problems.append(Problem(index + 1, "a line that is not `key = value`"))
            last_key = None
            continue
        key = pair[0].lower()
        if key in current.values or (current.name == DEFAULTS and key in default_keys):
            problems.append(Problem(index + 1, f"key '{key}' appears twice in [{current.name}]"))
        else:
            current.values[key] = pair[1]
            current.key_lines[key] = index + 1
            if current.name == DEFAULTS:
                default_keys.add(key)
        current.content_end = index + 1
        last_key = key
        key_indent = indent
    return IniDocument(lines=lines, sections=sections, problems=problems)


_COLUMN_ZERO_HEADER: dict[type, re.Pattern] = {
    str: re.compile(r"^\[[^\r\n]+\]", re.MULTILINE),
    bytes: re.compile(rb"^\[[^\r\n]+\]", re.MULTILINE),
}


class Window:
    """The part of a file from one `[name]` header to the next header: `doc` is its scan;
    `start` and `end` are offsets in the file; `first_line` is the file's index of its
    first line (0 unless line numbers were needed, see `section_windows`)."""

    __slots__ = ("doc", "end", "first_line", "start")

    def __init__(self, start: int, end: int, first_line: int, doc: IniDocument) -> None:
        self.start = start
        self.end = end
        self.first_line = first_line
        self.doc = doc


def _header_spans(text, name: str) -> list[tuple[int, int]] | None:
    """(start, end) of the text from each `[name]` header at column 0 to the next header,
    in a `str` or the `bytes` of a UTF-8 file; None when a `[name]` header is indented,
    which only a full `scan` can place (it may be a continuation line), or when a lone
    `\\r` ends a line somewhere (botocore reads it as a line break; see `has_lone_cr`).

    Files with thousands of sections: the header is found by `find`, and only its own
    lines need scanning. A header at column 0 can never be a continuation, so scanning
    from it gives exactly what a full scan gives for those lines.
    """
    if has_lone_cr(text):
        return None
    binary = isinstance(text, bytes)
    needle = f"[{name}]".encode() if binary else f"[{name}]"
    newline, bracket = (b"\n", b"]") if binary else ("\n", "]")
    spans: list[tuple[int, int]] = []
    at = text.find(needle)
    while at != -1:
        line_start = text.rfind(newline, 0, at) + 1
        line_end = text.find(newline, at)
        line_end = len(text) if line_end == -1 else line_end
        before = text[line_start:at]
        if binary:
            before = before.decode("utf-8", "replace")  # whitespace as str.strip sees it
        if not before.strip() and bracket not in text[at + len(needle) : line_end]:
            if line_start != at:
                return None
            following = _COLUMN_ZERO_HEADER[type(text)].search(text, line_end)
            spans.append((line_start, following.start() if following else len(text)))
        at = text.find(needle, at + 1)
    return spans


def scan_from(data: bytes, start: int) -> IniDocument:
    """A scan of UTF-8 `data` from the column-0 header line at `start` to the next one:
    what a full scan gives for those lines (see `_header_spans`), at the cost of a few."""
    line_end = data.find(b"\n", start)
    following = _COLUMN_ZERO_HEADER[bytes].search(data, len(data) if line_end == -1 else line_end)
    end = following.start() if following else len(data)
    return scan(data[start:end].decode("utf-8", errors="replace"))


def section_values(text: str, name: str) -> dict[str, str] | None:
    """The keys of section `[name]` in `text` (no BOM), or None if it is missing or
    repeated; only that section is scanned when its header stands at column 0.

    What `roleswitch status` and the credentials reader use: one section of a file
    that may hold thousands.
    """
    spans = _header_spans(text, name)
    if spans is None:
        found = scan(text).find(name)
    else:
        found = [section for a, b in spans for section in scan(text[a:b]).find(name)]
    return found[0].values if len(found) == 1 else None


def section_windows(data: bytes, name: str) -> list[Window] | None:
    """Every `[name]` section of the UTF-8 file `data`, each scanned on its own, or None
    when only a full `scan` can tell (see `_header_spans`). The editor's way in."""
    spans = _header_spans(data, name)
    if spans is None:
        return None
    windows = [Window(a, b, 0, scan(data[a:b].decode("utf-8"))) for a, b in spans]
    if len(windows) > 1 or any(w.doc.problems for w in windows):
        # Line numbers are for messages only: count lines (a pass over the file) just then.
        for window in windows:
            window.first_line = data.count(b"\n", 0, window.start)
            _shifted(window.doc, window.first_line)
    return windows


def _shifted(doc: IniDocument, by: int) -> IniDocument:
    for section in doc.sections:
        section.header += by
        section.content_end += by
        section.end += by
        section.key_lines = {key: line + by for key, line in section.key_lines.items()}
    for problem in doc.problems:
        problem.line += by
    return doc


def newline_of(data: bytes) -> str:
    """The file's own line ending (its first one), so an inserted section matches it."""
    at = data.find(b"\n")
    return "\r\n" if at > 0 and data[at - 1 : at] == b"\r" else "\n"


def read_sections(text: str) -> list[tuple[str, dict[str, str], int]] | None:
    """(name, values, header line number) of every section, for reading only, or None
    when the file needs `scan` (an indented line, a problem, a repeated key or section).

    `scan` keeps every line and its position for editing; the catalogue only reads
    config files, which may have tens of thousands of lines, so this does the least
    per line. For the files it accepts it gives exactly what `scan` gives (a fuzz test
    holds it to that); everything else goes to `scan`, which also explains problems.
    """
    if has_lone_cr(text):
        return None
    sections: list[tuple[str, dict[str, str], int]] = []
    names: set[str] = set()
    values: dict[str, str] | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        first = line[0]
        if first == "[" and line.rfind("]") > 1:
            name = line[1 : line.rindex("]")]
            if name in names:
                return None
            names.add(name)
            values = {}
            sections.append((name, values, number))
            continue
        if first in "#;":
            continue
        if first.isspace():
            if line.strip():
                return None  # indented: maybe a continuation; scan decides
            continue
        if values is None:
            return None  # a line before any section
        pair = split_key_value(line.rstrip())
        if pair is None:
            return None
        key = pair[0].lower()
        if key in values:
            return None
        values[key] = pair[1]
    return sections
