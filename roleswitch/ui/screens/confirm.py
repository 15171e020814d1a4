"""A yes/no question, for actions that remove something.

No is the default: it has the focus when the dialog opens, so a stray Enter removes
nothing; only `y` or the Yes button does. The question is shown as written (it names
profiles like `[default]`, which markup would swallow) and wraps instead of clipping.

A question about a target of a named environment (production) can wear that environment's
colour: the dialog's border and its title (the environment's name, written out, so the
colour is never the only sign). A colour Textual cannot read is ignored, not an error.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color, ColorParseError
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Label

from roleswitch.ui.screens.dialog import Dialog


def parse_colour(colour: str | None) -> Color | None:
    """`colour` as Textual reads it, or None if there is none or it cannot be read."""
    if not colour:
        return None
    try:
        return Color.parse(colour)
    except ColorParseError:
        return None


class ConfirmScreen(Dialog[bool]):
    AUTO_FOCUS = "#no"
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]

    def __init__(self, question: str, *, colour: str | None = None, label: str | None = None) -> None:
        super().__init__()
        self.question = question
        self.colour = parse_colour(colour)
        self.label = label  # the environment's name (production), shown on the border

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as dialog:
            if self.label:
                dialog.border_title = Content(f" {self.label} ")
                dialog.styles.border_title_style = "bold"
            if self.colour is not None:
                dialog.styles.border = ("thick", self.colour)
                dialog.styles.border_title_background = self.colour
                dialog.styles.border_title_color = self.colour.get_contrast_text()
            yield Label(self.question, classes="dialog-title", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Yes (y)", id="yes", variant="error", compact=True)
                yield Button("No (n)", id="no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.answer(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.answer(yes)
