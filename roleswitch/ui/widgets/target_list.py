"""The list of targets grouped by account: a line-rendered virtual list.

Only the visible lines are ever rendered, and filtering swaps a list of row
indices, so a keystroke costs the same with 10 targets or 10,000. No widget is
created per target.

With a query, the rows follow the filter's ranking: accounts in the order of
their best match, roles within an account best first, the highlight on the best
match overall (unless the one highlighted is as good), and the matched letters
marked. Rendering goes through Textual's own path and scroll bar; each content
line is a strip remembered by what it shows.

With no query, the person's pinned targets come first under "Pinned", then the
ones they use most under "Recent" (not with `order = "alphabetical"`), then the
accounts. A target in those groups is shown there and in its account: two rows,
one target. Row statuses and the active mark show on both; `highlight(name)`
goes to the first. With a query there are no groups: matches that are as good
as each other come pinned first, then by use (pins only when alphabetical).

A target whose environment is configured wears its name at the row's right, in
the environment's colour when it has one (never the colour alone); an account
header does too when all its targets share one.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, count, repeat
from operator import attrgetter
from typing import overload

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input

from roleswitch.core.filtering import Recent, TargetFilter, _without, match_spans
from roleswitch.core.model import Catalogue, Environment, Target

TYPE_CHECKING = False
if TYPE_CHECKING:  # core.usage is imported after the first frame (launch.LazyUsageStore)
    from roleswitch.core.usage import Usage

RECENT_SHOWN = 5  # the Recent group's rows
PIN_MARK = "★"
ENVIRONMENT_WIDTH = 14  # the most an environment's label takes at a row's right
# Rendered rows kept (see render_line), the oldest dropped first: a 40-row screen for
# each of the filter's last 12 queries. Each strip carries Textual's own caches and the
# strips derived from it, about 1.1 KB a row: up to 4,096 of them were kept (3,600 after
# ten queries typed and deleted, 4 MB).
STRIPS_KEPT = 512


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
    TargetList > .target-list--pin { color: $accent; text-style: bold; }
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
        "target-list--pin",
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
        self._catalogue_widths = (8, 6)  # the widths the catalogue's own rows need
        # Whether the highlight was put on a target on purpose (by the app, or the person):
        # the first usage then leaves it there, else moves it to the top (the first pin).
        self._placed = False
        self._usage_seen = False
        self._combined: dict[tuple[bool, str], Style] = {}
        self._strips: dict[tuple, Strip] = {}
        self._catalogue = Catalogue(targets=())
        # Pins and use (set_usage), as target indices: the groups shown with no query, and
        # the order that breaks a query's ties.
        self._usage: Usage | None = None
        self._group_rows: list[int] = []  # the groups' rows, headers included (see _View)
        self._group_row_of: dict[int, int] = {}  # target index -> its group copy's row
        self._group_counts = (0, 0)  # rows in Pinned, in Recent
        self._pinned: frozenset[int] = frozenset()
        self._preferred: dict[int, int] = {}  # target index -> its place among pins, then use
        self._preferred_ascending: list[int] = []
        self._labels: dict[str | None, tuple[str, Style | None] | None] = {}  # environment -> label
        self._account_labels: dict[int, tuple[str, Style | None] | None] = {}

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
        in_group = keep is not None or self._in_group()
        keep = keep or self.highlighted
        self._catalogue = catalogue
        self._labels, self._account_labels = {}, {}
        # Flattened in C (chain, repeat, accumulate): a Python loop over every target cost
        # 22 ms of a start at 100,000 targets.
        accounts = catalogue.accounts()
        self._accounts = [(account.account_id, account.name, len(account.targets)) for account in accounts]
        self._targets = list(chain.from_iterable(account.targets for account in accounts))
        sizes = [len(account.targets) for account in accounts]
        self._account_of = list(chain.from_iterable(map(repeat, range(len(sizes)), sizes)))
        self._account_start = list(accumulate(sizes, initial=0))
        self._filter = TargetFilter(_SearchTexts(self._targets))
        # The filter's ints (matches of no query: 0 to N - 1), not another N of them.
        self._index_of = dict(zip(map(_NAME, self._targets), self._filter.matches(""), strict=True))
        self._views = Recent()
        self._strips.clear()
        self._widths = self._catalogue_widths = (
            min(max((len(t.role_name) for t in self._targets), default=8), 28),
            min(max((len(t.source_label) for t in self._targets), default=6), 18),
        )
        self._placed = self._placed or (highlight is not None and keep is not None and keep.name == highlight)
        self._place_usage()
        self._apply(keep, in_group=in_group)

    def set_usage(self, usage: Usage) -> None:
        """Show `usage`'s pins and most used targets (names not in the catalogue are
        skipped). The highlight stays on the row it was on: the same target, in a group
        or in its account as before when it is still there."""
        in_group = self._in_group()
        keep = self.highlighted
        if not self._usage_seen:
            # The first usage (just after start-up): on the same target's first row if the
            # highlight was put there on purpose, else on the first pinned or recent one.
            self._usage_seen, in_group = True, True
            keep = keep if self._placed or self._chosen else None
        self._usage = usage
        self._place_usage()
        self._views = Recent()
        self._strips.clear()
        self._apply(keep, in_group=in_group)

    def _place_usage(self) -> None:
        """The groups' rows and the query order, from the usage and the catalogue's indices."""
        index_of, usage, total = self._index_of, self._usage, len(self._targets)
        pinned = [index_of[name] for name in usage.pinned if name in index_of] if usage else []
        by_use = [index_of[name] for name in usage.ranked if name in index_of] if usage else []
        alphabetical = self._catalogue.settings.order == "alphabetical"
        self._pinned = frozenset(pinned)
        recent = [] if alphabetical else [i for i in by_use if i not in self._pinned][:RECENT_SHOWN]
        rows: list[int] = []
        self._group_counts = (len(pinned), len(recent))
        for header, indices in ((_PINNED, pinned), (_RECENT, recent)):
            if indices:
                rows.append(-(len(self._accounts) + header + 1))
                rows.extend(total + i for i in indices)  # a group's copy: see _View
        self._group_rows = rows
        # A group's row names its account where the account's own rows name the source.
        role_w, source_w = self._catalogue_widths
        for row in rows:
            if row >= 0:
                account_id, name, _count = self._accounts[self._account_of[row - total]]
                source_w = max(source_w, min(len(name or account_id or "unknown account"), 18))
        self._widths = (role_w, source_w)
        self._group_row_of = {row - total: y for y, row in enumerate(rows) if row >= 0}
        preferred = pinned if alphabetical else pinned + [i for i in by_use if i not in self._pinned]
        self._preferred = {index: place for place, index in enumerate(preferred)}
        self._preferred_ascending = sorted(self._preferred)

    def _in_group(self) -> bool:
        """Whether the highlight is on a group's copy of its target."""
        return 0 <= self._cursor < len(self._rows) and self._rows[self._cursor] >= len(self._targets)

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
        """Show `status` at the right of target `name`'s rows (in a group and in its
        account); repaints those rows only."""
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
        index = self._index_of.get(name)
        if index is not None:
            for y in self._view_now.rows_of(index):
                self.refresh_line(y)

    def _row_of(self, name: str) -> int:
        """The first row showing target `name`, or -1 when the filter hides it."""
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
        best, singles = tiers[0], 0
        if key and self._preferred:
            tiers, singles = self._preferred_first(tiers, matches)
        rows: list[int] = [] if key else list(self._group_rows)
        counts: dict[int, int] = {}
        start, account_of = self._account_start, self._account_of
        if len(tiers) == 1:
            first_row, run_starts = len(rows), []
            k, shown = 0, len(matches)
            while k < shown:
                account = account_of[matches[k]]
                end = bisect.bisect_left(matches, start[account + 1], k)
                rows.append(-(account + 1))
                counts[account] = end - k
                run_starts.append(k)
                rows.extend(matches[k:end])
                k = end
            runs = (first_row, run_starts)
            view = _View(matches, rows, counts, matches, runs, {} if key else self._group_row_of)
        else:
            # At most how many runs of one account's matches the tiers hold (a preferred
            # match is a tier of one): few runs of many matches each go by runs.
            if singles + (len(tiers) - singles) * len(self._accounts) < len(matches) // 4:
                self._rows_by_runs(tiers, rows, counts)
            else:
                self._rows_by_sorting(tiers, rows, counts)
            view = _View(matches, rows, counts, best)
        self._views.put(key, view)
        return view

    def _preferred_first(
        self, tiers: tuple[tuple[int, ...], ...], matches: tuple[int, ...]
    ) -> tuple[tuple[tuple[int, ...], ...], int]:
        """`tiers` with, in each, the pinned and used matches first (each a tier of its own,
        in the usage's order), then the rest as it was. Only the preferred targets are
        looked up (a bisection each, in C), so the cost follows how many there are, not
        the catalogue. Also returns how many tiers of one it made."""
        preferred, wanted = self._preferred, self._preferred_ascending
        found = list(map(bisect.bisect_left, repeat(matches), wanted))
        shown = len(matches)
        hits = [index for index, at in zip(wanted, found, strict=True) if at < shown and matches[at] == index]
        if not hits:
            return tiers, 0
        result: list[tuple[int, ...]] = []
        singles = len(hits)
        for tier in tiers:
            if hits:
                if len(tiers) == 1:
                    inside, hits = hits, []
                else:
                    places = list(map(bisect.bisect_left, repeat(tier), hits))
                    size = len(tier)
                    inside = [i for i, at in zip(hits, places, strict=True) if at < size and tier[at] == i]
                    if inside:
                        taken = set(inside)
                        hits = [index for index in hits if index not in taken]
                if inside:
                    tier = _without(tier, tuple(inside))  # inside is still ascending here
                    inside.sort(key=preferred.__getitem__)
                    result.extend(zip(inside))  # each a tier of one
            if tier:
                result.append(tier)
        return tuple(result), singles

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

    def _apply(self, keep: Target | None, *, in_group: bool = False) -> None:
        view = self._view_now = self._view(self._query)
        self._set_row_count(len(view.rows))
        # The highlight stays where it was while that target is among the best matches
        # (on a group's copy of it if it was on one and there is one still).
        cursor = -1
        index = self._index_of.get(keep.name, -1) if keep is not None else -1
        if index >= 0 and view.is_best(index):
            cursor = view.row_of(index, in_group=in_group)
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
            return self._target_at(self._rows[self._cursor])
        return None

    def _target_at(self, row: int) -> Target:
        """The target of a target row (a group's copy or its account's)."""
        targets = self._targets
        return targets[row - len(targets)] if row >= len(targets) else targets[row]

    def highlight(self, name: str) -> bool:
        """Highlight target `name`: the row already highlighted if it shows it, else its
        first row (in a group when it is in one). False when the filter hides it."""
        current = self.highlighted
        if current is not None and current.name == name:
            return True
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
            status = self._statuses.get(self._target_at(row).name)
            key: tuple = (row, highlighted, width, status, self._terms)
        else:
            key = (row, width, self._view_now.counts.get(-row - 1), self._terms)
        strip = self._strips.get(key)
        if strip is None:
            if row < 0:
                segments = self._header_segments(-row - 1, width)
            else:
                segments = self._target_segments(row, highlighted, width)
            strip = Strip(segments).adjust_cell_length(width, self._base(highlighted)).crop(0, width)
            strips = self._strips
            if len(strips) >= STRIPS_KEPT:
                del strips[next(iter(strips))]  # the oldest
            strips[key] = strip
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

    def _header_segments(self, account: int, width: int) -> list[Segment]:
        if account >= len(self._accounts):
            return self._group_header_segments(account - len(self._accounts))
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
        environment = self._account_environment(account)
        if environment is not None:  # at the right, as on the rows; never cut (colour alone)
            gap = width - sum(len(segment.text) for segment in segments) - len(environment[0]) - 3
            if gap >= 2:
                segments.append(Segment(" " * gap, self._base(False)))
                segments.append(self._label_segment(environment, False))
        return segments

    def _group_header_segments(self, group: int) -> list[Segment]:
        count = self._group_counts[group]
        return [
            Segment(f" {_GROUP_TITLES[group]}", self._styled(False, "account")),
            Segment(f"  {count} role{'s' if count != 1 else ''}", self._styled(False, "dim")),
        ]

    def _target_segments(self, row: int, highlighted: bool, width: int) -> list[Segment]:
        """A target's row: `row` is its index, or the index plus N for its copy in a group,
        which names its account where the account's own rows name their source."""
        in_group = row >= len(self._targets)
        index = row - len(self._targets) if in_group else row
        target = self._targets[index]
        base = self._base(highlighted)
        dim = self._styled(highlighted, "dim")
        active = target.name == self._active_name
        marker = "●" if active else " "
        if index in self._pinned:
            segments = [Segment(PIN_MARK, self._styled(highlighted, "pin"))]
            segments.append(Segment(f"{'▶' if highlighted else ' '}{marker} ", base))
        else:
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
        label = self._environment_label(target)
        label_w = len(label[0]) + 3 if label else 0  # the label, padded, and a space after it
        room = width - 4 - role_w - 2 - status_w - label_w
        where = None
        if in_group:
            account_id, name, _count = self._accounts[self._account_of[index]]
            where = name or account_id or "unknown account"
        columns = [
            (_fit(where or target.source_label, source_w), dim),
            (_fit(target.region or "-", 14), dim),
            ("MFA" if target.needs_mfa else "   ", self._styled(highlighted, "mfa")),
        ]
        where_column = 0
        if width >= 99:  # a 100-column list, less its scroll bar
            columns.insert(0, (_fit(target.name, 26), dim))
            where_column = 1
        for n, (text, style) in enumerate(columns):
            if room < len(text) + 2:
                if where is not None and n == where_column and room >= 8:
                    # A copy in Pinned or Recent: its account is what tells three Admins
                    # apart, so it is shortened to the room left rather than dropped.
                    segments.append(Segment(f"{_fit(where, room - 2)}  ", style))
                    room = 0
                break
            if n == 0 and width >= 99:
                segments += self._marked(text, style)  # the target's name: searched, so marked
                segments.append(Segment("  ", style))
            else:
                segments.append(Segment(f"{text}  ", style))
            room -= len(text) + 2
        if status or label:
            # Drawn on the list's own background so warning colours stay legible when highlighted.
            segments.append(Segment(" " * max(room - 1 if status else room, 0), base))
        if label:
            segments.append(self._label_segment(label, highlighted))
            segments.append(Segment(" ", base))
        if status:
            status_style = self._styled(False, status.style)
            segments.append(Segment(f" {status.text} ", status_style))
            segments.append(Segment(" ", base))
        return segments

    def _environment_label(self, target: Target) -> tuple[str, Style | None] | None:
        """The name of the target's environment as its row shows it, with the style of its
        colour (None: no colour, or one that does not parse)."""
        key = target.environment
        if key is None:
            return None
        label = self._labels.get(key, _UNKNOWN)
        if label is _UNKNOWN:
            label = self._labels[key] = _label(self._catalogue.environment_of(target))
        return label

    def _account_environment(self, account: int) -> tuple[str, Style | None] | None:
        """The environment label of an account whose targets all share one."""
        label = self._account_labels.get(account, _UNKNOWN)
        if label is _UNKNOWN:
            start = self._account_start
            targets = self._targets[start[account] : start[account + 1]]
            names = {target.environment for target in targets}
            label = self._environment_label(targets[0]) if len(names) == 1 and targets else None
            self._account_labels[account] = label
        return label

    def _label_segment(self, label: tuple[str, Style | None], highlighted: bool) -> Segment:
        text, style = label
        return Segment(f" {text} ", style or self._styled(highlighted, "dim"))

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


# The groups' headers, numbered past the accounts: row -(accounts + _PINNED + 1), ...
_PINNED, _RECENT = 0, 1
_GROUP_TITLES = ("Pinned", "Recent")


_NAME = attrgetter("name")
_UNKNOWN: tuple[str, Style | None] = ("", None)  # not looked up yet (a label is never empty)


def _label(environment: Environment | None) -> tuple[str, Style | None] | None:
    """An environment's label: its name (cut to fit), in its colour on a contrasting text
    colour; a colour that does not parse is no colour, never an error."""
    if environment is None:
        return None
    text = _fit(environment.name, ENVIRONMENT_WIDTH - 2).rstrip()
    style = None
    if environment.colour:
        try:
            colour = Color.parse(environment.colour)
        except ColorParseError:
            pass
        else:
            text_colour = colour.get_contrast_text(1.0)
            style = Style(color=text_colour.rich_color, bgcolor=colour.rich_color, bold=True)
    return text, style


def _fit(text: str, width: int) -> str:
    return f"{text:<{width}}" if len(text) <= width else text[: width - 1] + "…"


class _View:
    """The rows for one query: headers and targets in display order, and how to find them.

    A row is a number: a target's index (0 to N - 1) in its account; N plus the index for
    its copy in the Pinned or Recent group; -(n + 1) for the header of account n, and for
    the groups' headers past the accounts' (see `_PINNED`, `_RECENT`)."""

    __slots__ = ("_groups", "_runs", "best", "counts", "matches", "rows")

    def __init__(
        self,
        matches: tuple[int, ...],
        rows: list[int],
        counts: dict[int, int],
        best: tuple[int, ...],
        runs: tuple[int, list[int]] | None = None,
        groups: dict[int, int] | None = None,
    ) -> None:
        self.matches = matches  # the target indices shown, ascending
        self.rows = rows  # see the class's docstring
        self.counts = counts  # account -> how many of its targets are shown
        self.best = best  # the best matches, ascending
        # When rows follow the order of `matches`, one account's run after another: the row
        # of the first run's header, and where in `matches` each run starts. The row of
        # matches[k] is then found, not stored (a row number per match held 10,000 ints
        # for each query remembered).
        self._runs = runs
        self._groups = groups or {}  # target index -> the row of its copy in a group

    def row_of(self, index: int, *, in_group: bool = True) -> int:
        """The row of target `index` (its group's copy first, unless not `in_group`), or
        -1 when it is not shown."""
        if in_group:
            row = self._groups.get(index)
            if row is not None:
                return row
        return self._account_row_of(index)

    def rows_of(self, index: int) -> list[int]:
        """Every row showing target `index`."""
        rows = [self._groups[index]] if index in self._groups else []
        row = self._account_row_of(index)
        return [*rows, row] if row >= 0 else rows

    def _account_row_of(self, index: int) -> int:
        if self._runs is not None:
            k = bisect.bisect_left(self.matches, index)
            if k < len(self.matches) and self.matches[k] == index:
                first_row, run_starts = self._runs
                return first_row + k + bisect.bisect_right(run_starts, k)  # one header per run so far
            return -1
        try:
            return self.rows.index(index)  # a scan in C; the one asked for is mostly near the top
        except ValueError:
            return -1

    def is_best(self, index: int) -> bool:
        k = bisect.bisect_left(self.best, index)
        return k < len(self.best) and self.best[k] == index

    def first_best_row(self) -> int:
        """The first group's or account's first (so best) target, under its header; -1
        when none."""
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
