"""Reading what a Pilot-driven app shows: the painted cells, as text, like a person sees them.

Reads the screen's compositor (what Textual would send to the terminal), so clipping,
wrapping and truncation are visible to the tests, unlike a widget's own render().
"""

from __future__ import annotations

from textual.widget import Widget


def screen_lines(app) -> list[str]:
    """Every row of the screen as painted, the topmost screen over the ones below."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def widget_lines(app, widget: Widget) -> list[str]:
    """The rows of the screen inside `widget`'s region, right-trimmed."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    return [
        strips[y].crop(region.x, region.right).text.rstrip()
        for y in range(region.y, min(region.bottom, len(strips)))
    ]


def flowing_text(lines: list[str]) -> str:
    """Wrapped lines read as one text: borders and runs of spaces become one space."""
    words = " ".join(line.strip(" █▀▄▔▁▏▕│▌▐") for line in lines).split()
    return " ".join(words)
