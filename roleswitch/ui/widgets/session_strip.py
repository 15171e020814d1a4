"""The strip under the top bar: every other session roleswitch manages, on one line.

Shown only when the credentials file holds a session outside the active profile. Each
entry is `[profile] target 42m` with the countdown in its urgency colour and, for a
target of a coloured environment (production), a pill naming the environment in that
colour. The most urgent come first (expired, alarm, warning, then file order), and when
the line runs short the last entries give way to `+N more` (ctrl+t lists them all). A
confirm-gated session auto-renew leaves alone says so ("waits for yes", "declined").
Like the top bar, it repaints only when what it says changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from roleswitch.core.clock import Urgency
from roleswitch.ui.widgets.session_bar import environment_style


class StripEntry(NamedTuple):
    """One session as the strip shows it."""

    profile: str
    name: str
    left: str  # the coarse countdown: `42m`, `expired`
    urgency: Urgency | None
    environment: str = ""
    colour: str | None = None
    problem: bool = False  # its last auto-renewal failed
    waiting: str = ""  # why auto-renew leaves it alone: "waits for yes", "declined"


# The countdown's colour in each band (the top bar's pill, the strip, the Sessions screen).
URGENT_STYLE = {
    Urgency.CALM: "$success",
    Urgency.WARNING: "bold $warning",
    Urgency.ALARM: "bold $error",
    Urgency.EXPIRED: "bold reverse $error",
}

SEPARATOR = "  "

# The strip's order: the sessions that need attention first, so "+N more" never hides them.
_FIRST = {Urgency.EXPIRED: 0, Urgency.ALARM: 1, Urgency.WARNING: 2}


def most_urgent_first(entries: Sequence[StripEntry]) -> tuple[StripEntry, ...]:
    """Expired, then alarm, then warning, then the rest; file order within each (stable)."""
    return tuple(sorted(entries, key=lambda entry: _FIRST.get(entry.urgency, 3) if entry.urgency else 3))


class SessionStrip(Widget):
    DEFAULT_CSS = """
    SessionStrip { height: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: tuple[StripEntry, ...] = ()

    @property
    def entries(self) -> tuple[StripEntry, ...]:
        return self._entries

    def show(self, entries: Sequence[StripEntry]) -> None:
        entries = most_urgent_first(entries)
        if entries != self._entries:
            self._entries = entries
            self.refresh()

    def render(self) -> RenderResult:
        width = self.size.width
        pieces = [self._entry(entry) for entry in self._entries]
        for shown in range(len(pieces), -1, -1):
            hidden = len(pieces) - shown
            parts: list[Content] = [Content(" ")]
            for piece in pieces[:shown]:
                parts += [piece, Content(SEPARATOR)]
            if hidden:
                parts.append(Content.styled(f"+{hidden} more (ctrl+t)", "dim"))
            content = Content("").join(parts)
            if content.cell_length <= width or shown == 0:
                return content
        return Content("")

    @staticmethod
    def _entry(entry: StripEntry) -> Content:
        parts = []
        if entry.environment:
            parts += [Content.styled(f" {entry.environment} ", environment_style(entry.colour)), Content(" ")]
        parts.append(Content.styled(f"[{entry.profile}]", "dim"))
        parts.append(Content(f" {entry.name} "))
        parts.append(Content.styled(entry.left, URGENT_STYLE.get(entry.urgency, "") if entry.urgency else ""))
        if entry.waiting:
            parts.append(Content.styled(f" {entry.waiting}", "$warning"))
        elif entry.problem:
            parts.append(Content.styled(" renew failed", "$error"))
        return Content("").join(parts)
