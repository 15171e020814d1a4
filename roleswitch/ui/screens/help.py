"""What every key does, and where roleswitch reads and writes."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

HELP = """\
[b]Find a role[/b]
  type            filter (fuzzy: account name, id, role, target name)
  ↑ ↓ PgUp PgDn   move the highlight (Home/End in the list)
  Esc             leave the filter, then clear it
  /               back to the filter

[b]Act[/b]
  Enter           assume the highlighted role (asks for MFA when needed)
  r               renew the active session (same role, new credentials)
  a               auto-renew inside the renew margin
  c               copy `export` lines for the active session
  d               clear the active profile from the credentials file
  ctrl+o          write a credential_process profile for the highlighted
                  role into ~/.aws/config, so SDKs refresh on their own
  ctrl+l          log out: forget cached MFA sessions and role credentials
  ctrl+p          command palette: "assume: TARGET", "sdk profile: TARGET"
  q, ctrl+q       quit (ctrl+q works in the filter too)

[b]Countdown[/b]
  calm → warning inside the renew margin (a bell rings once)
  → alarm in the last 2 minutes → EXPIRED

[b]MFA[/b]
  One code starts an MFA session (12h unless mfa_session_duration says
  otherwise). Renewals, auto-renew and other roles with the same source
  need no code until it ends; its time left shows in the top bar.

The secret key and session token are written only to the credentials
file, into the section roleswitch owns (marked manager = roleswitch).
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("roleswitch keys", classes="dialog-title")
            yield Static(HELP)
            yield Label("Esc closes", classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
