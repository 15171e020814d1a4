"""Ask for a 6-digit MFA code; checked here so a bad code never costs a call."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from roleswitch.core import validate
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Target


class MfaScreen(ModalScreen[str | None]):
    """Returns the code, or None when the person presses Escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="mfa-cancel")]

    def __init__(self, target: Target, reason: str = "", *, alarm: bool = False) -> None:
        super().__init__()
        self.target = target
        self.reason = reason  # why a code is asked for
        self.alarm = alarm  # the reason is bad news (a session ended), not a tip

    def compose(self) -> ComposeResult:
        with Vertical(id="mfa-dialog", classes="dialog"):
            yield Label(f"MFA code for {self.target.name}", classes="dialog-title")
            yield Label(f"Device: {self.target.mfa_serial}", classes="dim")
            if self.reason:
                yield Label(self.reason, id="mfa-reason", classes="-alarm" if self.alarm else "dim")
            yield Input(
                placeholder="6 digits",
                max_length=6,
                restrict=r"[0-9]*",
                id="mfa-code",
                compact=True,
            )
            yield Label("Enter to assume · Esc to cancel", id="mfa-hint", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            code = validate.mfa_code(event.value)
        except ValidationError as error:
            hint = self.query_one("#mfa-hint", Label)
            hint.update(str(error))
            hint.add_class("error")
            return
        self.dismiss(code)

    def action_cancel(self) -> None:
        self.dismiss(None)
