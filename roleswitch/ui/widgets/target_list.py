"""The list of targets grouped by account: a line-rendered virtual list.

Only the visible lines are ever rendered, and filtering swaps a list of row
indices, so a keystroke costs the same with 10 targets or 10,000. No widget is
created per target.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size, Spacing
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from roleswitch.core.filtering import TargetFilter
from roleswitch.core.model import Catalogue, Target

_NO_SPACING = Spacing(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class RowStatus:
    """What the active or busy row shows at its right edge, and in which style."""

    text: str
    style: str  # a component-class suffix: calm, warning, alarm, expired, busy


class TargetList(ScrollView, can_focus=True):
    """Targets under account headers; the highlight moves over targets only."""

    ALLOW_SELECT = False  # a double click assumes; it does not select text

    COMPONENT_CLASSES = {
        "target-list--account",
        "target-list--account-id",
        "target-list--highlight",
        "target-list--invalid",
        "target-list--dim",
        "target-list--mfa",
        "target-list--active",
        "target-list--calm",
        "target-list--warning",
        "target-list--alarm",
        "target-list--expired",
        "target-list--busy",
        "target-list--empty",
    }

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    class Highlighted(Message):
        def __init__(self, target: Target | None) -> None:
            super().__init__()
            self.target = target

    class Selected(Message):
        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._targets: list[Target] = []  # in display (grouped) order
        self._account_of: list[int] = []
        self._accounts: list[tuple[str, str | None, int]] = []  # id, name, role count
        self._filter = TargetFilter([])
        self._rows: list[int] = []  # >= 0: target index; < 0: header of account -(n + 1)
        self._matches: tuple[int, ...] = ()  # the target indices in _rows, ascending
        self._target_rows: list[int] = []  # the row of each of _matches
        self._views: dict[str, tuple[tuple[int, ...], list[int], list[int]]] = {}
        self._index_of: dict[str, int] = {}  # target name -> index
        self._account_start: list[int] = []  # first target index of each account, then the total
        self._cursor = -1  # index into _rows, always a target row (or -1 when none)
        self._query = ""
        self._statuses: dict[str, RowStatus] = {}
        self._active_name: str | None = None
        self._widths = (8, 6)
        self._combined: dict[tuple[bool, str], Style] = {}
        self._strips: dict[tuple, Strip] = {}

    # --- data -----------------------------------------------------------------

    def set_catalogue(self, catalogue: Catalogue, *, highlight: str | None = None) -> None:
        """Show `catalogue`, highlighting target `highlight` if it is there, else the
        target highlighted before, else the first."""
        keep = catalogue.find(highlight) if highlight else None
        keep = keep or self.highlighted
        self._targets, self._account_of, self._accounts = [], [], []
        self._account_start = []
        for number, account in enumerate(catalogue.accounts()):
            self._accounts.append((account.account_id, account.name, len(account.targets)))
            self._account_start.append(len(self._targets))
            for target in account.targets:
                self._targets.append(target)
                self._account_of.append(number)
        self._account_start.append(len(self._targets))
        self._index_of = {t.name: i for i, t in enumerate(self._targets)}
        self._views = {}
        self._strips.clear()
        self._filter = TargetFilter(_SearchTexts(self._targets))
        self._widths = (
            min(max((len(t.role_name) for t in self._targets), default=8), 28),
            min(max((len(t.source_label) for t in self._targets), default=6), 18),
        )
        self._apply(keep)

    def prepare_filter(self) -> None:
        """Do the filter's one-off work now, while idle, not on the first keystroke."""
        self._filter.prepare()

    def set_filter(self, query: str) -> None:
        if query == self._query:
            return
        self._query = query
        self._apply(self.highlighted)

    @property
    def filter_text(self) -> str:
        # Not `query`: that name is Textual's DOM query method.
        return self._query

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def total(self) -> int:
        return len(self._targets)

    def set_row_status(self, name: str, status: RowStatus | None) -> None:
        """Show `status` at the right of target `name`'s row; repaints that row only."""
        if status is None:
            if self._statuses.pop(name, None) is None:
                return
        elif self._statuses.get(name) == status:
            return
        else:
            self._statuses[name] = status
        self._refresh_target(name)

    def set_active(self, name: str | None) -> None:
        previous, self._active_name = self._active_name, name
        if previous != name:
            self._strips.clear()
        for each in (previous, name):
            if each:
                self._refresh_target(each)

    def _refresh_target(self, name: str) -> None:
        y = self._row_of(name)
        if y >= 0:
            self.refresh_line(y)

    def _row_of(self, name: str) -> int:
        """The row showing target `name`, or -1 when the filter hides it (a bisection)."""
        index = self._index_of.get(name)
        if index is None:
            return -1
        k = bisect.bisect_left(self._matches, index)
        if k < len(self._matches) and self._matches[k] == index:
            return self._target_rows[k]
        return -1

    def _view(self, query: str) -> tuple[tuple[int, ...], list[int], list[int]]:
        """The rows for `query`, remembered: widening back to an earlier query costs nothing.

        Built one matching account at a time (a bisection and two slices each), not one
        target at a time.
        """
        key = " ".join(query.lower().split())
        view = self._views.get(key)
        if view is not None:
            return view
        matches = self._filter.matches(key)
        rows: list[int] = []
        target_rows: list[int] = []
        start, account_of = self._account_start, self._account_of
        k, count = 0, len(matches)
        while k < count:
            account = account_of[matches[k]]
            end = bisect.bisect_left(matches, start[account + 1], k)
            rows.append(-(account + 1))
            target_rows.extend(range(len(rows), len(rows) + end - k))
            rows.extend(matches[k:end])
            k = end
        if len(self._views) >= 64:
            self._views.pop(next(iter(self._views)))
        view = self._views[key] = (matches, rows, target_rows)
        return view

    def _apply(self, keep: Target | None) -> None:
        self._matches, self._rows, self._target_rows = self._view(self._query)
        size = Size(0, len(self._rows))
        if self.virtual_size != size:
            self.virtual_size = size
        cursor = self._row_of(keep.name) if keep is not None else -1
        if cursor < 0:
            cursor = self._target_rows[0] if self._target_rows else -1
        self._move_to(cursor, force_message=True)
        self.refresh()

    # --- highlight -------------------------------------------------------------

    @property
    def highlighted(self) -> Target | None:
        if 0 <= self._cursor < len(self._rows):
            return self._targets[self._rows[self._cursor]]
        return None

    def highlight(self, name: str) -> bool:
        y = self._row_of(name)
        if y < 0:
            return False
        self._move_to(y)
        return True

    def _move_to(self, y: int, *, force_message: bool = False) -> None:
        old = self._cursor
        self._cursor = y
        if old != y:
            if 0 <= old < len(self._rows):
                self.refresh_line(old)
            if y >= 0:
                self.refresh_line(y)
        if y >= 0:
            # Keep the account header visible when the first role is highlighted.
            top = y - 1 if y > 0 and self._rows[y - 1] < 0 else y
            if top < self.scroll_offset.y:
                self.scroll_to(y=top, animate=False)
            elif y >= self.scroll_offset.y + self.scrollable_content_region.height:
                self.scroll_to(y=y - self.scrollable_content_region.height + 1, animate=False)
        if old != y or force_message:
            self.post_message(self.Highlighted(self.highlighted))

    def _step(self, start: int, direction: int) -> int:
        """The nearest target row from `start` going `direction`, else the last one found."""
        y = start
        best = self._cursor
        while 0 <= y < len(self._rows):
            if self._rows[y] >= 0:
                return y
            y += direction
        # Nothing that way: search back the other way from the edge.
        y = max(0, min(start, len(self._rows) - 1))
        while 0 <= y < len(self._rows):
            if self._rows[y] >= 0:
                return y
            y -= direction
        return best

    def action_cursor(self, delta: int) -> None:
        if self._cursor >= 0:
            self._move_to(self._step(self._cursor + delta, delta))

    def action_page(self, direction: int) -> None:
        if self._cursor >= 0:
            page = max(1, self.scrollable_content_region.height - 1)
            self._move_to(self._step(self._cursor + direction * page, direction))

    def action_jump(self, where: int) -> None:
        if self._rows:
            self._move_to(self._step(0, 1) if where == 0 else self._step(len(self._rows) - 1, -1))

    def action_select(self) -> None:
        target = self.highlighted
        if target is not None:
            self.post_message(self.Selected(target))

    def _on_click(self, event: events.Click) -> None:
        thumb = self._thumb()
        if thumb is not None and event.x == self.scrollable_content_region.width - 1:
            # The scroll bar's column: show that part of the list.
            height = self.scrollable_content_region.height
            top = (len(self._rows) - height) * event.y / max(1, height - 1)
            self.scroll_to(y=round(top), animate=False)
            return
        y = event.y + self.scroll_offset.y
        if 0 <= y < len(self._rows) and self._rows[y] >= 0:
            self._move_to(y)
            if event.chain >= 2:
                self.action_select()

    def key_enter(self) -> None:
        self.action_select()

    # --- rendering -----------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """The visible rows, straight from the strip cache.

        Textual's own path rebuilds every line it is asked for (borders, padding,
        tint, opacity, a new Strip, the app's line filters on it), which on a
        keystroke that changes every visible row cost more than all of the
        filtering. This list has none of those styles, so each row is the cached
        strip with the app's filters applied (cached on the strip itself). Should
        the styles ever use one, Textual's path takes over.

        The scroll bar is the last cell of each row, for the same reason: Textual's
        scroll bar is a widget of its own, repainted through that per-line path
        whenever the number of rows changes, which is every keystroke.
        """
        styles = self.styles
        if (
            styles.gutter != _NO_SPACING
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
            or any(edge for edge, _ in styles.outline)
        ):
            return super().render_lines(crop)
        width = self.scrollable_content_region.width
        background = self.background_colors[1]
        filters = self.get_line_filters()
        strips = []
        for y in crop.line_range:
            strip = self.render_line(y) if y < self.size.height else Strip.blank(width, self._base(False))
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        thumb = self._thumb()
        bar = None if thumb is None else thumb[0] <= y < thumb[1]  # this line's scroll bar cell
        if bar is not None:
            width -= 1
        row_index = y + self.scroll_offset.y
        if row_index >= len(self._rows):
            if row_index == 0:
                return self._empty_line(width)
            return Strip.blank(width, self._base(False))
        row = self._rows[row_index]
        highlighted = row >= 0 and row_index == self._cursor
        # A row looks the same wherever the filter puts it: remember its strip.
        status = self._statuses.get(self._targets[row].name) if row >= 0 else None
        key = (row, highlighted, width, status, bar)
        strip = self._strips.get(key)
        if strip is None:
            if row < 0:
                segments = self._header_segments(-row - 1)
            else:
                segments = self._target_segments(row, highlighted, width)
            strip = Strip(segments).adjust_cell_length(width, self._base(highlighted)).crop(0, width)
            if bar is not None:
                strip = Strip.join([strip, Strip([Segment(" ", self._bar_style(bar))], 1)])
            if len(self._strips) > 4096:
                self._strips.clear()
            self._strips[key] = strip
        return strip

    def _thumb(self) -> tuple[int, int] | None:
        """The visible lines the scroll bar's thumb covers; None when every row fits."""
        height = self.scrollable_content_region.height
        total = len(self._rows)
        if height <= 0 or total <= height:
            return None
        size = max(1, round(height * height / total))
        top = round((height - size) * min(1.0, self.scroll_offset.y / (total - height)))
        return top, top + size

    def _bar_style(self, thumb: bool) -> Style:
        """The scroll bar in the theme's scroll bar colours, as Textual's own draws it."""
        key = (thumb, "scroll bar")
        style = self._combined.get(key)
        if style is None:
            styles = self.styles
            track = styles.scrollbar_background
            if track.a < 1:
                track = self.background_colors[0] + track
            colour = track + styles.scrollbar_color if thumb else track
            style = self._combined[key] = Style(bgcolor=colour.rich_color)
        return style

    def notify_style_update(self) -> None:
        self._combined.clear()
        self._strips.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        # Partial: only what the class sets, so a row's highlight background survives.
        return self.get_component_rich_style(f"target-list--{name}", partial=True)

    def _base(self, highlighted: bool) -> Style:
        return self._styled(highlighted, "")

    def _styled(self, highlighted: bool, name: str) -> Style:
        """The row's base style (highlighted or not) plus component `name`, remembered
        until the styles change: every visible row needs a few of these on every frame."""
        key = (highlighted, name)
        style = self._combined.get(key)
        if style is None:
            style = self.rich_style
            if highlighted:
                style = style + self._style("highlight")
            if name:
                style = style + self._style(name)
            self._combined[key] = style
        return style

    def _empty_line(self, width: int) -> Strip:
        text = (
            f" No roles match '{self._query}'. Esc clears the filter."
            if self._targets
            else " No roles configured: add role profiles to ~/.aws/config or roleswitch's config."
        )
        return Strip([Segment(text, self._style("empty"))]).adjust_cell_length(width, self._base(False))

    def _header_segments(self, account: int) -> list[Segment]:
        account_id, name, count = self._accounts[account]
        label = name or account_id or "unknown account"
        segments = [Segment(f" {label}", self._styled(False, "account"))]
        if name and account_id:
            segments.append(Segment(f"  {account_id}", self._styled(False, "account-id")))
        segments.append(Segment(f"  {count} role{'s' if count != 1 else ''}", self._styled(False, "dim")))
        return segments

    def _target_segments(self, index: int, highlighted: bool, width: int) -> list[Segment]:
        target = self._targets[index]
        base = self._base(highlighted)
        dim = self._styled(highlighted, "dim")
        active = target.name == self._active_name
        marker = "●" if active else " "
        segments = [Segment(f" {'▶' if highlighted else ' '}{marker} ", base)]
        role_w, source_w = self._widths
        status = self._statuses.get(target.name)
        if not target.valid:
            invalid = self._styled(highlighted, "invalid")
            segments.append(Segment(f"{_fit(target.name, role_w)}  ", invalid))
            segments.append(Segment(f"invalid: {target.problem}", invalid))
            return segments
        role_style = self._styled(highlighted, "active") if active else base
        segments.append(Segment(f"{_fit(target.role_name, role_w)}  ", role_style))
        status_w = len(status.text) + 2 if status else 0
        room = width - 4 - role_w - 2 - status_w
        columns = [
            (_fit(target.source_label, source_w), dim),
            (_fit(target.region or "-", 14), dim),
            ("MFA" if target.needs_mfa else "   ", self._styled(highlighted, "mfa")),
        ]
        if width >= 100:
            columns.insert(0, (_fit(target.name, 26), dim))
        for text, style in columns:
            if room < len(text) + 2:
                break
            segments.append(Segment(f"{text}  ", style))
            room -= len(text) + 2
        if status:
            # Drawn on the list's own background so warning colours stay legible when highlighted.
            segments.append(Segment(" " * max(room - 1, 0), base))
            status_style = self._styled(False, status.style)
            segments.append(Segment(f" {status.text} ", status_style))
            segments.append(Segment(" ", base))
        return segments


def _fit(text: str, width: int) -> str:
    return f"{text:<{width}}" if len(text) <= width else text[: width - 1] + "…"


class _SearchTexts:
    """The targets' search texts, made when the filter first needs them (not at start-up)."""

    def __init__(self, targets: list[Target]) -> None:
        self._targets = targets

    def __len__(self) -> int:
        return len(self._targets)

    def __getitem__(self, index: int) -> str:
        return self._targets[index].search_text

    def __iter__(self):
        return (t.search_text for t in self._targets)
