"""ctrl+t: every session roleswitch manages in the credentials file, in a table.

One row per session (the active profile's first): profile, target, environment, time
left, region, auto-renew. The countdowns are the app's, recomputed at each tick from
the clock (`SessionsScreen.update`), in urgency colours; a coloured environment's name
wears its colour. The screen's own letter keys act on the highlighted session: `r`
renews, `d` clears (asks first), `m` makes it the default (copies it into the active
profile), `b` opens the console as its role, `g` picks its region; Home and End go to the
first and last session; Esc goes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label

from roleswitch.core.clock import Urgency
from roleswitch.ui.widgets.key_bar import KeyBar
from roleswitch.ui.widgets.session_bar import environment_style
from roleswitch.ui.widgets.session_strip import URGENT_STYLE

if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp


class SessionRow(NamedTuple):
    """One session as the table shows it (never a secret)."""

    profile: str
    target: str
    environment: str
    colour: str | None
    left: str
    urgency: Urgency | None
    region: str
    auto_renew: str
    active: bool = False


COLUMNS = (
    ("profile", "Profile"),
    ("target", "Target"),
    ("environment", "Environment"),
    ("left", "Left"),
    ("region", "Region"),
    ("auto", "Auto"),  # short, as its texts are ("waits for yes"): the table fits 80 columns
)


def _cells(row: SessionRow, variables: Mapping[str, str]) -> list[Text]:
    """The row's cells as plain text (never markup: `[default]`), styled with the theme's
    colours resolved (a table cell is a Rich renderable, which knows no `$success`)."""
    profile = ("● " if row.active else "  ") + f"[{row.profile}]"  # ●: the active profile
    environment = (
        Text(f" {row.environment} ", style=environment_style(row.colour)) if row.environment else Text("-")
    )
    style = URGENT_STYLE.get(row.urgency) if row.urgency else None
    if style:
        for name, value in variables.items():
            style = style.replace(f"${name}", value) if f"${name}" in style else style
    left = Text(row.left, style=style or "")
    return [Text(profile), Text(row.target), environment, left, Text(row.region or "-"), Text(row.auto_renew)]


class SessionTable(DataTable[Text]):
    """The sessions' table: Home and End move the highlight to the first and last session
    (a row table's own Home and End only scroll sideways)."""

    BINDINGS = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]


ACTS = frozenset(("renew_profile", "clear_profile", "make_default", "console_for", "pick_region"))


class SessionsScreen(Screen[None]):
    BINDINGS = [
        # Each runs the app's method of that name on the highlighted session's profile.
        Binding("r", "act('renew_profile')", "Renew", id="sessions-renew"),
        Binding("d", "act('clear_profile')", "Clear", id="sessions-clear"),
        Binding("m", "act('make_default')", "Make default", id="sessions-default"),
        Binding("b", "act('console_for')", "Console", id="sessions-console"),
        Binding("g", "act('pick_region')", "Region", id="sessions-region"),
        Binding("escape,ctrl+t", "back", "Back", id="sessions-back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple[SessionRow, ...] | None = None

    @property
    def roleswitch(self) -> RoleswitchApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Label("Sessions", id="sessions-title", markup=False)
        table = SessionTable(id="sessions-table", cursor_type="row", zebra_stripes=False)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table
        yield Label("", id="sessions-empty", markup=False)
        yield KeyBar(id="sessions-keys", own_keys_only=True)

    def on_mount(self) -> None:
        self.update(self.roleswitch.session_rows())

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#sessions-table", DataTable)

    def update(self, rows: Sequence[SessionRow]) -> None:
        """Show `rows`; the highlight stays on its profile. Repaints only what changed."""
        rows = tuple(rows)
        if rows == self._shown:
            return
        table = self.table
        variables = self.app.theme_variables
        previous = self._shown or ()
        same_profiles = [r.profile for r in previous] == [r.profile for r in rows]
        if same_profiles:
            for old, new in zip(previous, rows, strict=True):
                if old != new:
                    for (key, _label), cell in zip(COLUMNS, _cells(new, variables), strict=True):
                        table.update_cell(new.profile, key, cell, update_width=True)
        else:
            selected, at = self.selected_profile, table.cursor_row
            table.clear()
            for row in rows:
                table.add_row(*_cells(row, variables), key=row.profile)
            profiles = [row.profile for row in rows]
            if selected in profiles:
                table.move_cursor(row=profiles.index(selected))
            elif rows:  # its session is gone (`d`): the highlight stays where it was
                table.move_cursor(row=min(max(at, 0), len(rows) - 1))
        self._shown = rows
        empty = self.query_one("#sessions-empty", Label)
        empty.update("" if rows else "No sessions: assume a role (Esc, then Enter) and it shows here.")
        empty.display = not rows
        self.refresh_bindings()

    @property
    def selected_profile(self) -> str | None:
        rows = self._shown or ()
        row = self.table.cursor_row if rows else -1
        return rows[row].profile if 0 <= row < len(rows) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            if self.selected_profile is None:
                return None
            if parameters == ("console_for",) and self.roleswitch.services.console is None:
                return None
        return True

    def on_data_table_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_act(self, method: str) -> None:
        """`method` of the app (renew_profile, clear_profile, make_default, console_for,
        pick_region) on the highlighted session's profile."""
        profile = self.selected_profile
        if profile is not None and method in ACTS:
            getattr(self.roleswitch, method)(profile)

    def action_back(self) -> None:
        self.dismiss(None)
