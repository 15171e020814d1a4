"""Ask for a 6-digit MFA code; checked here so a bad code never costs a call.

Texts are shown as written (never read as markup) and wrap. Authenticator apps show
and copy codes as `123 456` or `123-456`: the spaces and dashes are dropped as the code
is typed or pasted, so the box holds the six digits.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label

from roleswitch.core import validate
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Target
from roleswitch.ui.screens.dialog import Dialog

HINT = "Enter to assume · Esc to cancel"
_SEPARATORS = re.compile(r"[\s\-]")


class MfaCodeInput(Input):
    """Six digits at most; separators in what is typed or pasted are dropped, not refused."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="6 digits", max_length=6, restrict=r"[0-9]*", compact=True, **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        # Every edit (a key, a paste, a paste over a selection) ends here.
        super().replace(_SEPARATORS.sub("", text), start, end)


class MfaScreen(Dialog[str | None]):
    """Returns the code, or None when the person presses Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mfa-cancel")]

    def __init__(self, target: Target, reason: str = "", *, alarm: bool = False) -> None:
        super().__init__()
        self.target = target
        self.reason = reason  # why a code is asked for
        self.alarm = alarm  # the reason is bad news (a session ended), not a tip

    def compose(self) -> ComposeResult:
        with Vertical(id="mfa-dialog", classes="dialog"):
            yield Label(f"MFA code for {self.target.name}", classes="dialog-title", markup=False)
            yield Label(f"Device: {self.target.mfa_serial}", classes="dim", markup=False)
            if self.reason:
                yield Label(
                    self.reason, id="mfa-reason", classes="-alarm" if self.alarm else "dim", markup=False
                )
            yield MfaCodeInput(id="mfa-code")
            yield Label(HINT, id="mfa-hint", classes="dim", markup=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        """A changed code is a new attempt: the last one's error no longer applies."""
        event.stop()
        hint = self.query_one("#mfa-hint", Label)
        if hint.has_class("error"):
            hint.update(HINT)
            hint.remove_class("error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            code = validate.mfa_code(event.value)
        except ValidationError as error:
            hint = self.query_one("#mfa-hint", Label)
            hint.update(str(error))
            hint.add_class("error")
            return
        self.answer(code)

    def action_cancel(self) -> None:
        self.answer(None)
