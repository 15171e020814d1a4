"""Set one key of one table in a TOML document, keeping every other byte.

People comment their roleswitch TOML and write `[[accounts.x.roles]]` tables by
hand; re-serialising the parsed document would lose both. So the edit replaces
only the value's characters (a trailing comment stays), or inserts one line at the
end of the table's key lines, and then proves itself: the edited text must parse to
the old document with exactly that key changed. Handles `[table]` headers, dotted
keys (`table.key = ...` at top level), an inline `table = {...}`, multi-line strings
and arrays, CRLF endings, a byte-order mark and a missing final newline.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field

BOM = "\ufeff"
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BARE_VALUE_END = frozenset(",]}#\r\n")


class EditRefused(Exception):
    """The document cannot be edited safely; `str()` says why, in a clause."""


@dataclass
class _Value:
    start: int
    end: int
    items: list[_KeyValue] | None = None  # an inline table's entries
    close: int = -1  # an inline table's closing brace


@dataclass
class _KeyValue:
    path: tuple[str, ...]  # the full key: enclosing table plus the dotted key
    value: _Value
    line_end: int  # after the value and any trailing comment, before the newline


@dataclass
class _Header:
    path: tuple[str, ...]
    is_array: bool
    line_end: int
    keys: list[_KeyValue] = field(default_factory=list)


def set_value(text: str, table: str, key: str, value: object) -> str:
    """`text` with `[table] key = value`; raises `EditRefused` rather than guess."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    try:
        old = tomllib.loads(body)
    except tomllib.TOMLDecodeError as error:
        raise EditRefused(f"it does not parse ({error})") from None
    if table in old and not isinstance(old[table], dict):
        raise EditRefused(f"`{table}` is not a table")
    expected = copy.deepcopy(old)
    expected.setdefault(table, {})[key] = value
    try:
        edited = _edit(body, table, key, _render(value))
    except (IndexError, ValueError):  # the scanner met something it does not know
        raise EditRefused("its layout is not one roleswitch can edit by line") from None
    try:
        if tomllib.loads(edited) != expected:
            raise EditRefused("the edit would change more than that one setting")
    except tomllib.TOMLDecodeError:
        raise EditRefused("the edit would not parse") from None
    return bom + edited


def _render(value: object) -> str:
    """On one line, as the line being edited is one line."""
    import tomli_w

    if isinstance(value, list | tuple):
        return "[" + ", ".join(_render(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_render_key(k)} = {_render(v)}" for k, v in value.items()) + " }"
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def _render_key(key: str) -> str:
    import tomli_w

    return key if _BARE_KEY.fullmatch(key) else tomli_w.dumps({key: 0}).rsplit(" = ", 1)[0]


def _edit(text: str, table: str, key: str, rendered: str) -> str:
    eol = "\r\n" if "\r\n" in text else "\n"
    root, headers = _Scanner(text).statements()
    for statement in (*root, *(k for h in headers for k in h.keys)):
        if statement.path == (table, key):
            return _splice(text, statement.value.start, statement.value.end, rendered)
        if statement.path == (table,) and statement.value.items is not None:
            return _edit_inline(text, statement.value, key, rendered)
    line = f"{_render_key(key)} = {rendered}"
    own = [h for h in headers if h.path == (table,) and not h.is_array]
    if own:
        after = own[0].keys[-1].line_end if own[0].keys else own[0].line_end
        return _splice(text, after, after, eol + line)
    dotted = [k for k in root if k.path[:1] == (table,)]
    if dotted:
        after = dotted[-1].line_end
        return _splice(text, after, after, f"{eol}{_render_key(table)}.{line}")
    # A new table goes at the end: anywhere else it could capture top-level keys or
    # come between a comment and the table it describes.
    if not text:
        return f"[{_render_key(table)}]{eol}{line}{eol}"
    gap = "" if text.endswith(eol + eol) else eol if text.endswith(eol) else eol + eol
    final = eol if text.endswith(eol) else ""
    return f"{text}{gap}[{_render_key(table)}]{eol}{line}{final}"


def _edit_inline(text: str, inline: _Value, key: str, rendered: str) -> str:
    for item in inline.items or ():
        if item.path == (key,):
            return _splice(text, item.value.start, item.value.end, rendered)
    entry = f"{_render_key(key)} = {rendered}"
    if inline.items:
        after = inline.items[-1].value.end
        return _splice(text, after, after, f", {entry}")
    return _splice(text, inline.close, inline.close, f"{entry} " if text[inline.close - 1] == " " else entry)


def _splice(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


class _Scanner:
    """Finds statements and the spans of their values in a document tomllib accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def statements(self) -> tuple[list[_KeyValue], list[_Header]]:
        root: list[_KeyValue] = []
        headers: list[_Header] = []
        while True:
            self._skip(newlines=True)
            if self.pos >= len(self.text):
                return root, headers
            if self.text[self.pos] == "[":
                is_array = self.text.startswith("[[", self.pos)
                self.pos += 2 if is_array else 1
                path = self._key()
                self._expect("]]" if is_array else "]")
                self._skip()
                headers.append(_Header(path, is_array, self.pos))
            else:
                scope = headers[-1].path if headers else ()
                statement = self._key_value(scope)
                (headers[-1].keys if headers else root).append(statement)
            if self.pos < len(self.text) and self.text[self.pos] not in "\r\n":
                raise ValueError("text after a statement")

    def _key_value(self, scope: tuple[str, ...]) -> _KeyValue:
        path = scope + self._key()
        self._expect("=")
        self._skip(comments=False)
        value = self._value()
        self._skip()
        return _KeyValue(path, value, self.pos)

    def _skip(self, *, newlines: bool = False, comments: bool = True) -> None:
        """Spaces and tabs; with `comments`, a comment to the end of its line; with
        `newlines`, line breaks and blank lines too."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self.pos += 1
            elif char == "#" and comments:
                while self.pos < len(text) and text[self.pos] not in "\r\n":
                    self.pos += 1
            else:
                return

    def _expect(self, token: str) -> None:
        self._skip(comments=False)
        if not self.text.startswith(token, self.pos):
            raise ValueError(f"expected {token!r}")
        self.pos += len(token)

    def _key(self) -> tuple[str, ...]:
        parts: list[str] = []
        while True:
            self._skip(comments=False)
            char = self.text[self.pos]
            if char in "\"'":
                start = self.pos
                self._single_line_string(char)
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if not match:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self.pos = match.end()
            self._skip(comments=False)
            if not self.text.startswith(".", self.pos):
                return tuple(parts)
            self.pos += 1

    def _value(self) -> _Value:
        text, start = self.text, self.pos
        if text.startswith(('"""', "'''"), start):
            self._multi_line_string(text[start])
        elif text[start] in "\"'":
            self._single_line_string(text[start])
        elif text[start] == "[":
            self._array()
        elif text[start] == "{":
            return self._inline_table()
        else:
            while self.pos < len(text) and text[self.pos] not in _BARE_VALUE_END:
                self.pos += 1
            while text[self.pos - 1] in " \t":
                self.pos -= 1
        return _Value(start, self.pos)

    def _single_line_string(self, quote: str) -> None:
        text = self.text
        self.pos += 1
        while text[self.pos] != quote:
            self.pos += 2 if quote == '"' and text[self.pos] == "\\" else 1
        self.pos += 1

    def _multi_line_string(self, quote: str) -> None:
        text, delimiter = self.text, quote * 3
        self.pos += 3
        while not text.startswith(delimiter, self.pos):
            self.pos += 2 if quote == '"' and text[self.pos] == "\\" else 1
        run = 3
        while run < 5 and self.pos + run < len(text) and text[self.pos + run] == quote:
            run += 1  # up to two quotes of the content may sit against the delimiter
        self.pos += run

    def _array(self) -> None:
        self.pos += 1
        while True:
            self._skip(newlines=True)
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            self._value()
            self._skip(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def _inline_table(self) -> _Value:
        start = self.pos
        self.pos += 1
        items: list[_KeyValue] = []
        while True:
            self._skip(newlines=True)
            if self.text[self.pos] == "}":
                self.pos += 1
                return _Value(start, self.pos, items, self.pos - 1)
            if self.text[self.pos] == ",":
                self.pos += 1
                continue
            path = self._key()
            self._expect("=")
            self._skip(comments=False)
            items.append(_KeyValue(path, self._value(), self.pos))
