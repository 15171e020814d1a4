"""The top bar: the app's name, the active session and its live countdown.

A session of a coloured environment (production) makes the whole bar wear that colour
and names the environment in a pill of its own, so the colour is never the only sign.

It is the one widget the 1 Hz tick repaints, so an idle app costs next to nothing.
The countdown is the product: when the bar is too narrow, everything else gives way
first (see `SessionBar.render`), so it shows in full from 60 columns up.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

from textual.app import RenderResult
from textual.color import Color, ColorParseError
from textual.content import Content
from textual.widget import Widget

from roleswitch.core.clock import Urgency

ELLIPSIS = "…"
MIN_NAME = 4  # `● p…`: the least of the name worth showing


class Note(NamedTuple):
    """A remark beside the countdown, in full and in the short form a narrow bar uses."""

    full: str
    short: str


class _Layout(NamedTuple):
    """What one attempt at fitting the bar keeps; `name_room` None means the whole name."""

    title: bool = True
    short_badge: bool = False
    profile: bool = True
    region: bool = True
    short_notes: bool = False
    notes: bool = True
    gap: str = "  "
    name_room: int | None = None


class SessionBar(Widget):
    """`roleswitch  ● prod/Admin → [default]   42m 10s left   MFA session 11h left · auto-renew on`."""

    DEFAULT_CSS = """
    SessionBar { height: 1; }
    """

    def __init__(self, *, badge: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.badge = badge  # its short form, when the bar is narrow, is the part before " · "
        self._state: tuple = ("", "", None, (), "", "", "", None)

    def show(
        self,
        name: str,
        left: str,
        urgency: Urgency | None,
        notes: Sequence[Note | str] = (),
        *,
        profile: str = "",
        region: str = "",
        environment: str = "",
        colour: str | None = None,
    ) -> None:
        """Update what the bar says; repaints only when something changed.

        `name` is the active target ("" for no session), `profile` the section it is in,
        `region` the session's region, `left` the countdown text; a note given as a plain
        string has no short form. `environment` (e.g. production) is named in a pill, and
        with a `colour` the bar wears it.
        """
        notes_ = tuple(n if isinstance(n, Note) else Note(n, n) for n in notes)
        state = (name, left, urgency, notes_, profile, region, environment, colour)
        if state == self._state:
            return
        if colour != self._state[7]:
            self._set_colour(colour)
        self._state = state
        for band in Urgency:
            self.set_class(urgency is band, f"-{band.value}")
        self.set_class(bool(environment), "-environment")
        self.refresh()

    def _set_colour(self, colour: str | None) -> None:
        parsed = parse_colour(colour)
        if parsed is None:
            self.styles.clear_rule("background")
        else:
            # Tinted, not solid: the countdown's urgency pill must still stand out on it.
            self.styles.background = parsed.with_alpha(0.45)

    _PILL = {
        Urgency.CALM: "bold reverse $success",
        Urgency.WARNING: "bold reverse $warning",
        Urgency.ALARM: "bold reverse $error",
        Urgency.EXPIRED: "bold reverse $error",
    }

    def render(self) -> RenderResult:
        width = self.size.width
        content = Content("")
        for layout in self._layouts(width):
            content = self._said(layout)
            if content.cell_length <= width:
                break
        return content

    def _layouts(self, width: int) -> Iterator[_Layout]:
        """Most to least said: the session's region goes first, then the app's name, the
        notes' long forms, the badge's long form, the profile, then the target's name
        shortens with an ellipsis, and last the notes go. The countdown always stays."""
        layout = _Layout()
        yield layout
        for change in (
            {"region": False},
            {"title": False},
            {"short_notes": True},
            {"short_badge": True, "gap": " "},
            {"profile": False},
        ):
            layout = layout._replace(**change)
            yield layout
        for notes in (True, False):
            layout = layout._replace(notes=notes, name_room=0)  # measures all but the name
            spare = width - self._said(layout).cell_length
            yield layout._replace(name_room=max(spare, MIN_NAME))

    def _said(self, layout: _Layout) -> Content:
        name, left, urgency, notes, profile, region, environment, _colour = self._state
        gap = layout.gap
        parts: list[Content] = []
        if layout.title:
            parts.append(Content.styled(" roleswitch ", "bold"))
        if self.badge:
            badge = self.badge.split(" · ", 1)[0] if layout.short_badge else self.badge
            parts.append(Content.styled(f" {badge} ", "bold reverse $accent"))
        parts.append(Content(gap if parts else " "))
        if not name:
            parts.append(Content.styled("no active session", "dim"))
        else:
            if environment:
                parts.append(Content.styled(f" {environment.upper()} ", environment_style(_colour)))
                parts.append(Content(" "))
            parts.append(Content(_shorten(f"● {name}", layout.name_room)))
            if layout.profile and profile:
                parts.append(Content(f" → [{profile}]"))
            if layout.region and layout.profile and region:
                parts.append(Content(f" {region}"))
            parts.append(Content(gap))
            parts.append(Content.styled(f" {left} ", self._PILL.get(urgency, "bold reverse")))
        if layout.notes and notes:
            said = " · ".join(note.short if layout.short_notes else note.full for note in notes)
            parts.append(Content.styled(f"{gap}{said}", "dim"))
        return Content("").join(parts)


def parse_colour(colour: str | None) -> Color | None:
    """`colour` as Textual reads it; None when there is none or it cannot be read."""
    try:
        return Color.parse(colour) if colour else None
    except ColorParseError:
        return None


def environment_style(colour: str | None) -> str:
    """A pill in an environment's colour, with text that reads on it; reverse without one."""
    parsed = parse_colour(colour)
    if parsed is None:
        return "bold reverse"
    return f"bold {parsed.get_contrast_text().hex6} on {parsed.hex6}"


def _shorten(text: str, room: int | None) -> str:
    """`text` in at most `room` cells (0: none of it), its end replaced by an ellipsis when cut."""
    if room is None or len(text) <= room:
        return text
    return text[: room - 1] + ELLIPSIS if room else ""
