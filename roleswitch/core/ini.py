"""A line-based reader for the INI files AWS tools use, keeping every byte.

configparser loses comments, blank lines and line endings, so it cannot be used
to edit a person's credentials file. This scanner keeps the original lines and
records where each section starts and ends; `CredentialsFile` splices new lines
in, and the catalogue reads values out of it. Its rules follow
`configparser.RawConfigParser` as botocore uses it: `#` and `;` start a comment
only at the start of a line, keys are case-insensitive, `=` or `:` separates
key from value, indented lines continue the previous value, and duplicate
sections or keys are errors (botocore refuses such a file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OPTION_RE = re.compile(r"(?P<key>.*?)\s*[=:]\s*(?P<value>.*)$")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+")


def split_lines(text: str) -> list[str]:
    """Lines with their endings (`\\n` or `\\r\\n`); the last may have none."""
    return _LINE_RE.findall(text)


@dataclass(slots=True)
class Section:
    """One `[name]` block: `header` is its line index, `content_end` is one past
    its last key or continuation line (trailing blanks and comments are not its
    own), `end` is where the next section starts."""

    name: str
    header: int
    content_end: int
    end: int
    values: dict[str, str] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Problem:
    line: int  # 1-based
    message: str


@dataclass(slots=True)
class IniDocument:
    lines: list[str]
    sections: list[Section]
    problems: list[Problem]

    def find(self, name: str) -> list[Section]:
        return [s for s in self.sections if s.name == name]

    @property
    def newline(self) -> str:
        """The file's own line ending, so an inserted section matches it."""
        for line in self.lines:
            if line.endswith("\n"):
                return "\r\n" if line.endswith("\r\n") else "\n"
        return "\n"


def _is_blank_or_comment(stripped: str) -> bool:
    return not stripped or stripped[0] in "#;"


def scan(text: str) -> IniDocument:
    """Parse `text` into sections without losing a byte of it."""
    lines = split_lines(text)
    sections: list[Section] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    current: Section | None = None
    last_key: str | None = None
    key_indent = 0

    for index, line in enumerate(lines):
        stripped = line.strip()
        if _is_blank_or_comment(stripped):
            continue
        indent = len(line) - len(line.lstrip())
        if current is not None and last_key is not None and indent > key_indent:
            # A continuation line: part of the previous key's value (nested config).
            current.values[last_key] += "\n" + stripped
            current.content_end = index + 1
            continue
        if stripped.startswith("[") and "]" in stripped:
            name = stripped[1 : stripped.rindex("]")]
            if current is not None:
                current.end = index
            current = Section(name=name, header=index, content_end=index + 1, end=len(lines))
            sections.append(current)
            if name in seen:
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
        match = _OPTION_RE.match(stripped)
        if match is None or not match["key"]:
            problems.append(Problem(index + 1, "a line that is not `key = value`"))
            last_key = None
            continue
        key = match["key"].lower()
        if key in current.values:
            problems.append(Problem(index + 1, f"key '{key}' appears twice in [{current.name}]"))
        else:
            current.values[key] = match["value"]
            current.key_lines[key] = index + 1
        current.content_end = index + 1
        last_key = key
        key_indent = indent
    return IniDocument(lines=lines, sections=sections, problems=problems)
