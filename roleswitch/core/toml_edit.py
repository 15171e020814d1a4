"""Set one key of one table in a TOML document, keeping every other byte.

People comment their roleswitch TOML and write `[[accounts.x.roles]]` tables by
hand; re-serialising the parsed document would lose both. So the edit replaces
only the value's characters (a trailing comment stays), or inserts one line at the
end of the table's key lines, and then proves itself: the edited text must parse to
the old document with exactly that key changed. Handles `[table]` and `[a.b]` headers,
one entry of an array of tables (`[[accounts.prod.roles]]` whose `name = "Admin"`, or
an inline `roles = [{...}]`), dotted keys (`table.key = ...`), an inline `table = {...}`,
multi-line strings and arrays, CRLF endings, a byte-order mark and a missing final
newline. An entry named twice is refused, never guessed.
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
    elements: list[_Value] | None = None  # an array's values


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


def set_value(
    text: str,
    table: str | tuple[str, ...],
    key: str,
    value: object,
    *,
    entry: tuple[str, object] | None = None,
) -> str:
    """`text` with `key = value` in `table`; raises `EditRefused` rather than guess.

    `table` is a name (`"settings"`) or a path (`("accounts", "prod")`). With `entry`, the
    path names an array of tables and the key goes in its one entry whose `entry[0]` is
    `entry[1]`: `set_value(text, ("accounts", "prod", "roles"), "profile", "prod",
    entry=("name", "Admin"))` edits the `[[accounts.prod.roles]]` with `name = "Admin"`.
    """
    path = (table,) if isinstance(table, str) else tuple(table)
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    try:
        old = tomllib.loads(body)
    except tomllib.TOMLDecodeError as error:
        raise EditRefused(f"it does not parse ({error})") from None
    expected = copy.deepcopy(old)
    container, index = _container(expected, path, entry)
    container[key] = value
    try:
        edited = _edit(body, path, key, _render(value), index)
    except (IndexError, ValueError):  # the scanner met something it does not know
        raise EditRefused("its layout is not one roleswitch can edit by line") from None
    try:
        if tomllib.loads(edited) != expected:
            raise EditRefused("the edit would change more than that one setting")
    except tomllib.TOMLDecodeError:
        raise EditRefused("the edit would not parse") from None
    return bom + edited


def _container(
    document: dict, path: tuple[str, ...], entry: tuple[str, object] | None
) -> tuple[dict, int | None]:
    """The table of `document` that the key goes in (made if missing, unless it is an
    entry of an array of tables) and, for an entry, its index in its array."""
    node = document
    for depth, part in enumerate(path):
        name = ".".join(path[: depth + 1])
        if entry is not None and depth == len(path) - 1:
            array = node.get(part)
            if not isinstance(array, list) or not all(isinstance(item, dict) for item in array):
                raise EditRefused(f"`{name}` is not an array of tables")
            field, wanted = entry
            found = [at for at, item in enumerate(array) if item.get(field) == wanted]
            if len(found) != 1:
                count = "no" if not found else f"{len(found)}"
                raise EditRefused(
                    f"{count} `{name}` entries have {field} = {_render(wanted)}"
                    + (", and roleswitch will not guess which one is meant" if found else "")
                )
            return array[found[0]], found[0]
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise EditRefused(f"`{name}` is not a table")
        node = child
    return node, None


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


def _edit(text: str, path: tuple[str, ...], key: str, rendered: str, index: int | None) -> str:
    eol = "\r\n" if "\r\n" in text else "\n"
    root, headers = _Scanner(text).statements()
    line = f"{_render_key(key)} = {rendered}"
    if index is not None:
        return _edit_entry(text, eol, root, headers, path, index, key, rendered)
    statements = [*root, *(k for h in headers for k in h.keys)]
    found = _find(statements, (*path, key))
    if found is not None:
        return _splice(text, found.start, found.end, rendered)
    inline = _find(statements, path)
    if inline is not None:
        if inline.items is None:
            raise ValueError("not an inline table")
        return _insert_inline(text, inline, key, rendered)
    own = [h for h in headers if h.path == path and not h.is_array]
    if own:
        return _insert_line(text, eol, own[0], line)
    # Dotted keys (`settings.duration = ...` at top level, or under a parent table's header).
    scoped = [((), k) for k in root] + [(h.path, k) for h in headers if not h.is_array for k in h.keys]
    dotted = [
        (scope, k)
        for scope, k in scoped
        if len(scope) < len(path) and k.path[: len(path)] == path and len(k.path) > len(path)
    ]
    if dotted:
        scope, last = dotted[-1]
        relative = ".".join(_render_key(part) for part in (*path[len(scope) :], key))
        return _splice(
            text, last.line_end, last.line_end, f"{eol}{_indent(text, last)}{relative} = {rendered}"
        )
    # A new table goes at the end: anywhere else it could capture top-level keys or
    # come between a comment and the table it describes.
    header = "[" + ".".join(_render_key(part) for part in path) + "]"
    if not text:
        return f"{header}{eol}{line}{eol}"
    gap = "" if text.endswith(eol + eol) else eol if text.endswith(eol) else eol + eol
    final = eol if text.endswith(eol) else ""
    return f"{text}{gap}{header}{eol}{line}{final}"


def _edit_entry(
    text: str,
    eol: str,
    root: list[_KeyValue],
    headers: list[_Header],
    path: tuple[str, ...],
    index: int,
    key: str,
    rendered: str,
) -> str:
    """Set `key` in entry `index` of the array of tables at `path`: a `[[path]]` header's
    table, or an inline table in `path = [{...}, ...]`."""
    entries = [h for h in headers if h.is_array and h.path == path]
    if entries:
        entry = entries[index]
        found = _find(entry.keys, (*path, key))
        if found is not None:
            return _splice(text, found.start, found.end, rendered)
        return _insert_line(text, eol, entry, f"{_render_key(key)} = {rendered}")
    array = _find([*root, *(k for h in headers if not h.is_array for k in h.keys)], path)
    if array is None or array.elements is None:
        raise ValueError("no array of tables")
    table = array.elements[index]
    if table.items is None:
        raise ValueError("not an inline table")
    found = _find(table.items, (key,))
    if found is not None:
        return _splice(text, found.start, found.end, rendered)
    return _insert_inline(text, table, key, rendered)


def _find(statements: list[_KeyValue], path: tuple[str, ...]) -> _Value | None:
    """The value at `path`, looking inside inline tables."""
    for statement in statements:
        if statement.path == path:
            return statement.value
        size = len(statement.path)
        if statement.value.items is not None and path[:size] == statement.path:
            found = _find(statement.value.items, path[size:])
            if found is not None:
                return found
    return None


def _insert_line(text: str, eol: str, header: _Header, line: str) -> str:
    """`line` after the last key line of the header's table, indented as that line is
    (right under the header if the table has no keys yet)."""
    if not header.keys:
        return _splice(text, header.line_end, header.line_end, eol + line)
    last = header.keys[-1]
    return _splice(text, last.line_end, last.line_end, eol + _indent(text, last) + line)


def _indent(text: str, statement: _KeyValue) -> str:
    """The spaces and tabs that start the line the statement's value starts on."""
    start = max(text.rfind("\n", 0, statement.value.start), text.rfind("\r", 0, statement.value.start)) + 1
    line = text[start : statement.value.start]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _insert_inline(text: str, inline: _Value, key: str, rendered: str) -> str:
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
            elements = self._array()
            return _Value(start, self.pos, elements=elements)
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

    def _array(self) -> list[_Value]:
        self.pos += 1
        elements: list[_Value] = []
        while True:
            self._skip(newlines=True)
            if self.text[self.pos] == "]":
                self.pos += 1
                return elements
            elements.append(self._value())
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
