"""Pick a region from a list filtered as you type.

The caller gives the regions (its partition's, from botocore's own data), the current
one, and the title. The current region comes first and is highlighted, so Enter keeps
it; typing narrows the list as the role list's filter does: each word typed is found in
the region's name with its letters in order (`usw2` is us-west-2, `euc1` eu-central-1;
`eu west`, `west eu` and `1 ap` work too), the best first (the name itself, then a word
of it starting with what is typed, then it in one piece, then its letters scattered).
↑ ↓ Page Up/Down move through the list without leaving the box, Enter picks the
highlighted region (the best match), Esc cancels. Texts are shown as
written (never read as markup) and wrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from roleswitch.core.filtering import TargetFilter
from roleswitch.ui.screens.dialog import Dialog

HINT = "Type to filter · ↑↓ · Enter picks · Esc cancels"
# The dialog's rows around the list: border and padding 4, title 2, filter 2, list margin 1,
# hint 1 (the dialog may take 90% of the screen's height).
CHROME = 10


def matching(regions: Sequence[str], query: str) -> list[str]:
    """The regions matching every word of `query` as the role list's filter does (any case,
    letters in order), best first; equally good ones in the order given."""
    tiers = TargetFilter([region.lower() for region in regions]).rank(query)
    return [regions[index] for index in chain.from_iterable(tiers)]


class RegionPicker(Dialog[str | None]):
    """Returns the region picked, or None when the person presses Escape."""

    DEFAULT_CSS = """
    RegionPicker { align: center middle; }
    #region-filter { margin-bottom: 1; }
    #region-options { height: auto; max-height: 12; margin-bottom: 1; }
    /* The box has the focus, not the list: its highlight still reads as the one Enter picks. */
    #region-options > .option-list--option-highlighted {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="region-cancel"),
        Binding("up", "move('cursor_up')", "Up", show=False),
        Binding("down", "move('cursor_down')", "Down", show=False),
        Binding("pageup", "move('page_up')", "Page up", show=False),
        Binding("pagedown", "move('page_down')", "Page down", show=False),
    ]

    def __init__(self, regions: Sequence[str], current: str | None, title: str) -> None:
        super().__init__()
        rest = [region for region in dict.fromkeys(regions) if region != current]
        self.regions: list[str] = [current, *rest] if current is not None and current in regions else rest
        self.current = current
        self.title_text = title
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="region-dialog", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder="Type to filter regions", id="region-filter", compact=True)
            yield OptionList(id="region-options", compact=True)
            yield Label(HINT, id="region-hint", classes="dim", markup=False)

    def on_mount(self) -> None:
        self._show("")
        self._fit(self.app.size.height)
        self.query_one("#region-filter", Input).focus()

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.height)

    def _fit(self, height: int) -> None:
        """As many rows of regions as the screen leaves, up to 12: the hint stays in view."""
        self.options.styles.max_height = max(3, min(12, int(height * 0.9) - CHROME))

    @property
    def options(self) -> OptionList:
        return self.query_one("#region-options", OptionList)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.options.highlighted
        if highlighted is not None and highlighted < len(self.shown):
            self.answer(self.shown[highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.answer(event.option.id)

    def action_move(self, action: str) -> None:
        getattr(self.options, f"action_{action}")()

    def action_cancel(self) -> None:
        self.answer(None)

    def _show(self, query: str) -> None:
        self.shown = matching(self.regions, query)
        options = self.options
        options.set_options(
            Option(Content(f"{region}  (current)" if region == self.current else region), id=region)
            for region in self.shown
        )
        options.highlighted = 0 if self.shown else None
        hint = self.query_one("#region-hint", Label)
        if self.shown:
            hint.update(Content(HINT))
            hint.remove_class("error")
        else:
            hint.update(Content(f"No region matches {query.strip()!r}; Backspace to widen, Esc cancels."))
            hint.add_class("error")
