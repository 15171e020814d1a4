"""The list of targets grouped by account: a line-rendered virtual list.

Only the visible lines are ever rendered, and filtering swaps a list of row
indices, so a keystroke costs the same with 10 targets or 10,000. No widget is
created per target.

With a query, the rows follow the filter's ranking: accounts in the order of
their best match, roles within an account best first, the highlight on the best
match overall (unless the one highlighted is as good), and the matched letters
marked. Rendering goes through Textual's own path and scroll bar; each content
line is a strip remembered by what it shows.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import overload

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from roleswitch.core.filtering import Recent, TargetFilter, match_spans
from roleswitch.core.model import Catalogue, Target


@dataclass(frozen=True, slots=True)
class RowStatus:
    """What the active or busy row shows at its right edge, and in which style."""

    text: str
    style: str  # a component-class suffix: calm, warning, alarm, expired, busy


class TargetList(ScrollView, can_focus=True):
    """Targets under account headers; the highlight moves over targets only."""

    ALLOW_SELECT = False  # a double click assumes; it does not select text

    # The scroll bar always has its column: when filtering changes whether the rows fit,
    # nothing is laid out again and no column shifts under the reader's eye.
    DEFAULT_CSS = """
    TargetList { overflow-y: scroll; scrollbar-size-vertical: 1; }
    TargetList > .target-list--match { text-style: bold underline; }
    """

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
        "target-list--match",
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
        self._view_now = _View((), [], {}, ())
        self._views: Recent[str, _View] = Recent()  # the filter's last few queries' rows
        self._index_of: dict[str, int] = {}  # target name -> index
        self._account_start: list[int] = []  # first target index of each account, then the total
        self._cursor = -1  # index into _rows, always a target row (or -1 when none)
        self._query = ""
        # Whether the person moved the highlight (keys, a click) since it was last used:
        # only such a choice stays put while typing narrows the list; otherwise the
        # highlight goes to the best match, the top row, which is what Enter then assumes.
        self._chosen = False
        self._terms: tuple[str, ...] = ()  # the query's terms, lowercase, for marking matches
        self._statuses: dict[str, RowStatus] = {}
        # What an empty catalogue says (the app names its SSO sign-in key when it has one).
        self.empty_text = "No roles configured: add role profiles to ~/.aws/config or roleswitch's config."
        self._active_name: str | None = None
        self._widths = (8, 6)
        self._combined: dict[tuple[bool, str], Style] = {}
        self._strips: dict[tuple, Strip] = {}

    # The filter box the list follows, when its screen has one (see on_mount).
    FILTER_BOX = "Input#filter"

    def on_mount(self) -> None:
        """Start Textual's scroll bar widget now, with the list: made on demand at the first
        layout, it would start after it and hold the first frame back by a round."""
        self.vertical_scrollbar  # noqa: B018  (the property makes and starts it)
        for box in self.screen.query(self.FILTER_BOX).results(Input):
            self.follow(box)
            break

    def follow(self, box: Input) -> None:
        """Filter by what `box` holds the moment it changes, so the list is painted in the
        same frame as the box. Its Input.Changed message reaches the app only after that
        frame (the screen goes idle in between), which held every keystroke's list back to
        the next 60 Hz tick or the one after; the app's own set_filter then finds nothing
        new to do."""
        self.watch(box, "value", lambda value: self.set_filter(value), init=False)  # looked up per call

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
        self._views = Recent()
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
        self._terms = tuple(dict.fromkeys(query.lower().split()))
        self._apply(self.highlighted if self._chosen else None)

    @property
    def filter_text(self) -> str:
        # Not `query`: that name is Textual's DOM query method.
        return self._query

    @property
    def match_count(self) -> int:
        return len(self._view_now.matches)

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
        """The row showing target `name`, or -1 when the filter hides it."""
        index = self._index_of.get(name)
        return -1 if index is None else self._view_now.row_of(index)

    @property
    def _rows(self) -> list[int]:
        return self._view_now.rows

    def _view(self, query: str) -> _View:
        """The rows for `query`, remembered: widening back to an earlier query costs nothing.

        Without a ranking (no query, or every match as good), built one matching account
        at a time (a bisection and two slices each), not one target at a time. With one,
        accounts come in the order of their best match and each keeps its roles best first.
        """
        key = " ".join(query.lower().split())
        view = self._views.get(key)
        if view is not None:
            return view
        tiers = self._filter.rank(key)
        matches = tiers[0] if len(tiers) == 1 else self._filter.matches(key)
        rows: list[int] = []
        counts: dict[int, int] = {}
        start, account_of = self._account_start, self._account_of
        if len(tiers) == 1:
            target_rows: list[int] = []
            k, shown = 0, len(matches)
            while k < shown:
                account = account_of[matches[k]]
                end = bisect.bisect_left(matches, start[account + 1], k)
                rows.append(-(account + 1))
                counts[account] = end - k
                target_rows.extend(range(len(rows), len(rows) + end - k))
                rows.extend(matches[k:end])
                k = end
            view = _View(matches, rows, counts, matches, target_rows)
        else:
            if len(tiers) * len(self._accounts) < len(matches) // 4:
                self._rows_by_runs(tiers, rows, counts)  # few runs of many matches each
            else:
                self._rows_by_sorting(tiers, rows, counts)
            view = _View(matches, rows, counts, tiers[0])
        self._views.put(key, view)
        return view

    def _rows_by_runs(self, tiers, rows: list[int], counts: dict[int, int]) -> None:
        """Each tier cut into its accounts' runs (a bisection each); an account's runs go
        together, accounts in the order the tiers first reach them."""
        start, account_of = self._account_start, self._account_of
        runs: dict[int, list[tuple[tuple[int, ...], int, int]]] = {}
        for tier in tiers:
            k, shown = 0, len(tier)
            while k < shown:
                account = account_of[tier[k]]
                end = bisect.bisect_left(tier, start[account + 1], k)
                if account in runs:
                    runs[account].append((tier, k, end))
                else:
                    runs[account] = [(tier, k, end)]
                k = end
        for account, account_runs in runs.items():
            rows.append(-(account + 1))
            header = len(rows)
            for tier, k, end in account_runs:
                rows.extend(tier[k:end])
            counts[account] = len(rows) - header

    def _rows_by_sorting(self, tiers, rows: list[int], counts: dict[int, int]) -> None:
        """The ranked matches stably sorted by their account's place (its best match's),
        in C, then cut at each account: for tiers that touch most accounts."""
        ranked = list(chain.from_iterable(tiers))
        accounts_of_ranked = list(map(self._account_of.__getitem__, ranked))
        place = dict(zip(dict.fromkeys(accounts_of_ranked), count()))  # account -> its place
        keys = list(map(place.__getitem__, accounts_of_ranked))
        grouped_keys = sorted(keys)
        if grouped_keys == keys:  # each account's matches already together
            grouped = ranked
        else:
            order = sorted(range(len(ranked)), key=keys.__getitem__)  # stable: best first within
            grouped = list(map(ranked.__getitem__, order))
        k = 0
        for n, account in enumerate(place):
            end = bisect.bisect_right(grouped_keys, n, k)
            rows.append(-(account + 1))
            counts[account] = end - k
            rows.extend(grouped[k:end])
            k = end

    def _apply(self, keep: Target | None) -> None:
        view = self._view_now = self._view(self._query)
        self._set_row_count(len(view.rows))
        # The highlight stays where it was while that target is among the best matches.
        cursor = -1
        index = self._index_of.get(keep.name, -1) if keep is not None else -1
        if index >= 0 and view.is_best(index):
            cursor = view.row_of(index)
        if cursor < 0:
            cursor = view.first_best_row()
        self._move_to(cursor, force_message=True)
        self.refresh()

    def _set_row_count(self, rows: int) -> None:
        """Make the scrollable height `rows`. Setting `virtual_size` lays out the whole
        screen again (about 14 ms at 120x40, a whole repaint of every widget, on every
        keystroke that changes how many rows match), though the list's own size cannot
        change with it once it is laid out at a fixed height: then only the scroll bar
        and the scroll offset need to follow, which is what the layout would have done."""
        size = Size(0, rows)
        if self.virtual_size == size:
            return
        height = self.styles.height
        if self.size.height <= 0 or height is None or height.is_auto:
            self.virtual_size = size  # not laid out yet, or its height follows its rows
            return
        self.set_reactive(TargetList.virtual_size, size)
        self.vertical_scrollbar.window_virtual_size = rows
        self.scroll_y = self.scroll_y  # validated: within the new rows

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
            if self.scrollable_content_region.height > 0:
                self._scroll_to_cursor()
            else:  # not laid out yet: scroll once the list has its height
                self.call_after_refresh(self._scroll_to_cursor)
        if old != y or force_message:
            self.post_message(self.Highlighted(self.highlighted))

    def _scroll_to_cursor(self) -> None:
        """Show the highlighted row, and its account header when it is the first role."""
        y, height = self._cursor, self.scrollable_content_region.height
        if y < 0 or height <= 0:
            return
        top = y - 1 if y > 0 and self._rows[y - 1] < 0 else y
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False)
        elif y >= self.scroll_offset.y + height:
            self.scroll_to(y=y - height + 1, animate=False)

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

    def choice_used(self) -> None:
        """The highlighted role was assumed: the next search starts from its best match."""
        self._chosen = False

    def action_cursor(self, delta: int) -> None:
        self._chosen = True
        if self._cursor >= 0:
            self._move_to(self._step(self._cursor + delta, delta))

    def action_page(self, direction: int) -> None:
        self._chosen = True
        if self._cursor >= 0:
            page = max(1, self.scrollable_content_region.height - 1)
            self._move_to(self._step(self._cursor + direction * page, direction))

    def action_jump(self, where: int) -> None:
        self._chosen = True
        if self._rows:
            self._move_to(self._step(0, 1) if where == 0 else self._step(len(self._rows) - 1, -1))

    def action_select(self) -> None:
        target = self.highlighted
        if target is not None:
            self.post_message(self.Selected(target))

    def on_click(self, event: events.Click) -> None:
        """A click highlights a role; a double click assumes it. Clicks on the scroll bar
        never get here: Textual's scroll bar handles them."""
        y = event.y + self.scroll_offset.y
        if 0 <= y < len(self._rows) and self._rows[y] >= 0:
            self._move_to(y)
            self._chosen = True
            if event.chain >= 2:
                self.action_select()

    # --- rendering -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One content line; Textual's own `render_lines` adds the styles and scroll bar.

        A row looks the same wherever the filter puts it, so its strip is remembered
        by what it shows: narrowing the filter mostly reuses strips already made.
        """
        width = self.scrollable_content_region.width
        row_index = y + self.scroll_offset.y
        rows = self._rows
        if row_index >= len(rows):
            if row_index == 0:
                return self._empty_line(width)
            return Strip.blank(width, self._base(False))
        row = rows[row_index]
        highlighted = row >= 0 and row_index == self._cursor
        if row >= 0:
            status = self._statuses.get(self._targets[row].name)
            key: tuple = (row, highlighted, width, status, self._terms)
        else:
            key = (row, width, self._view_now.counts.get(-row - 1), self._terms)
        strip = self._strips.get(key)
        if strip is None:
            if row < 0:
                segments = self._header_segments(-row - 1)
            else:
                segments = self._target_segments(row, highlighted, width)
            strip = Strip(segments).adjust_cell_length(width, self._base(highlighted)).crop(0, width)
            if len(self._strips) > 4096:
                self._strips.clear()
            self._strips[key] = strip
        return strip

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
            else f" {self.empty_text}"
        )
        return Strip([Segment(text, self._style("empty"))]).adjust_cell_length(width, self._base(False))

    def _header_segments(self, account: int) -> list[Segment]:
        account_id, name, count = self._accounts[account]
        label = name or account_id or "unknown account"
        segments = [Segment(" ", self._styled(False, "account"))]
        segments += self._marked(label, self._styled(False, "account"))
        if name and account_id:
            segments.append(Segment("  ", self._styled(False, "account-id")))
            segments += self._marked(account_id, self._styled(False, "account-id"))
        shown = self._view_now.counts.get(account, count)
        # With a filter, count what is shown: "1 of 3 roles", never "3 roles" above one.
        counted = f"{count} role{'s' if count != 1 else ''}"
        text = counted if shown == count else f"{shown} of {counted}"
        segments.append(Segment(f"  {text}", self._styled(False, "dim")))
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
            segments += self._marked(_fit(target.name, role_w), invalid)
            segments.append(Segment("  ", invalid))
            segments.append(Segment(f"invalid: {target.problem}", invalid))
            return segments
        role_style = self._styled(highlighted, "active") if active else base
        segments += self._marked(_fit(target.role_name, role_w), role_style)
        segments.append(Segment("  ", role_style))
        status_w = len(status.text) + 2 if status else 0
        room = width - 4 - role_w - 2 - status_w
        columns = [
            (_fit(target.source_label, source_w), dim),
            (_fit(target.region or "-", 14), dim),
            ("MFA" if target.needs_mfa else "   ", self._styled(highlighted, "mfa")),
        ]
        if width >= 99:  # a 100-column list, less its scroll bar
            columns.insert(0, (_fit(target.name, 26), dim))
        for n, (text, style) in enumerate(columns):
            if room < len(text) + 2:
                break
            if n == 0 and width >= 99:
                segments += self._marked(text, style)  # the target's name: searched, so marked
                segments.append(Segment("  ", style))
            else:
                segments.append(Segment(f"{text}  ", style))
            room -= len(text) + 2
        if status:
            # Drawn on the list's own background so warning colours stay legible when highlighted.
            segments.append(Segment(" " * max(room - 1, 0), base))
            status_style = self._styled(False, status.style)
            segments.append(Segment(f" {status.text} ", status_style))
            segments.append(Segment(" ", base))
        return segments

    def _marked(self, text: str, style: Style) -> list[Segment]:
        """`text` with the letters the query matched in it marked."""
        marks = match_spans(text, self._terms) if self._terms else None
        if not marks:
            return [Segment(text, style)]
        marked = style + self._style("match")
        segments = []
        start = 0
        for begin, end in marks:
            if begin > start:
                segments.append(Segment(text[start:begin], style))
            segments.append(Segment(text[begin:end], marked))
            start = end
        if start < len(text):
            segments.append(Segment(text[start:], style))
        return segments


def _fit(text: str, width: int) -> str:
    return f"{text:<{width}}" if len(text) <= width else text[: width - 1] + "…"


class _View:
    """The rows for one query: headers and targets in display order, and how to find them."""

    __slots__ = ("_target_rows", "best", "counts", "matches", "rows")

    def __init__(
        self,
        matches: tuple[int, ...],
        rows: list[int],
        counts: dict[int, int],
        best: tuple[int, ...],
        target_rows: list[int] | None = None,
    ) -> None:
        self.matches = matches  # the target indices shown, ascending
        self.rows = rows  # >= 0: target index; < 0: header of account -(n + 1)
        self.counts = counts  # account -> how many of its targets are shown
        self.best = best  # the best matches, ascending
        self._target_rows = target_rows  # the row of each of `matches`, when rows follow their order

    def row_of(self, index: int) -> int:
        """The row of target `index`, or -1 when it is not shown."""
        if self._target_rows is not None:
            k = bisect.bisect_left(self.matches, index)
            if k < len(self.matches) and self.matches[k] == index:
                return self._target_rows[k]
            return -1
        try:
            return self.rows.index(index)  # a scan in C; the one asked for is mostly near the top
        except ValueError:
            return -1

    def is_best(self, index: int) -> bool:
        k = bisect.bisect_left(self.best, index)
        return k < len(self.best) and self.best[k] == index

    def first_best_row(self) -> int:
        """The first account's first (so best) target, under its header; -1 when none."""
        return 1 if len(self.rows) > 1 else -1


class _SearchTexts(Sequence[str]):
    """The targets' search texts, made when the filter first needs them (not at start-up)."""

    def __init__(self, targets: list[Target]) -> None:
        self._targets = targets

    def __len__(self) -> int:
        return len(self._targets)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [t.search_text for t in self._targets[index]]
        return self._targets[index].search_text

    def __iter__(self):
        return (t.search_text for t in self._targets)
