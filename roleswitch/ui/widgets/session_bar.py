"""The top bar: the app's name, the active session and its live countdown.

It is the one widget the 1 Hz tick repaints, so an idle app costs next to nothing.
"""

from __future__ import annotations

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from roleswitch.core.clock import Urgency


class SessionBar(Widget):
    """`roleswitch │ ● prod/Admin → [default] │ 42m 10s left · until 14:56`."""

    DEFAULT_CSS = """
    SessionBar { height: 1; }
    """

    def __init__(self, *, badge: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.badge = badge
        self._session = ""
        self._left = ""
        self._urgency: Urgency | None = None
        self._extra = ""

    def show(self, session: str, left: str, urgency: Urgency | None, extra: str = "") -> None:
        """Update what the bar says; repaints only when something changed."""
        state = (session, left, urgency, extra)
        if state == (self._session, self._left, self._urgency, self._extra):
            return
        self._session, self._left, self._urgency, self._extra = state
        for band in Urgency:
            self.set_class(urgency is band, f"-{band.value}")
        self.refresh()

    _PILL = {
        Urgency.CALM: "bold reverse $success",
        Urgency.WARNING: "bold reverse $warning",
        Urgency.ALARM: "bold reverse $error",
        Urgency.EXPIRED: "bold reverse $error",
    }

    def render(self) -> RenderResult:
        parts = [Content.styled(" roleswitch ", "bold")]
        if self.badge:
            parts.append(Content.styled(f" {self.badge} ", "bold reverse $accent"))
        parts.append(Content("  "))
        if not self._session:
            parts.append(Content.styled("no active session", "dim"))
        else:
            parts.append(Content(self._session))
            parts.append(Content("  "))
            parts.append(Content.styled(f" {self._left} ", self._PILL.get(self._urgency, "bold reverse")))
        if self._extra:
            parts.append(Content.styled(f"  {self._extra}", "dim"))
        return Content("").join(parts)
