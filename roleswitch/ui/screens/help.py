"""What every key does, and where roleswitch reads and writes.

The keys shown are read from the app's own bindings (by binding id), so the help
cannot drift from what the keys do. Each description wraps under its own column,
and every text is shown as written (no markup).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

# (section, [(binding id, or "=literal keys", description)])
SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Find a role",
        [
            ("=type", "filter, fuzzy over account name, account id, role name and target name"),
            ("=↑ ↓ PgUp PgDn", "move the highlight (Home and End in the list)"),
            ("=Esc", "leave the filter, then clear it"),
            ("filter", "back to the filter"),
        ],
    ),
    (
        "Act",
        [
            ("assume", "assume the highlighted role (asks for the MFA code when it needs one)"),
            ("renew", "renew the active session: same role, new credentials"),
            ("auto-renew", "auto-renew inside the renew margin (saved in roleswitch's config)"),
            (
                "copy-exports",
                "copy `export` lines for the active session to the clipboard. They hold the secret "
                "key and session token, and reach the clipboard through the terminal (OSC 52): a "
                "terminal recording or session log keeps them.",
            ),
            ("clear", "clear the active profile from the credentials file (asks first)"),
            (
                "sessions",
                "every session roleswitch manages, with its time left, region and auto-renew; there "
                "r renews, d clears (asks), m makes it the default profile, b opens its console, "
                "g picks its region, Esc goes back",
            ),
            ("assume-into", "assume the highlighted role into a profile you name (checked as you type)"),
            ("pin", "pin or unpin the highlighted role: pinned roles come first"),
            ("region", "pick the active session's region from its partition's regions"),
            (
                "sdk-profile",
                "write a credential_process profile for the highlighted role into ~/.aws/config, "
                "so SDKs refresh on their own",
            ),
            (
                "console",
                "open the AWS console as the highlighted role (assumed for it, nothing written) or "
                "the active session; the sign-in URL is never shown",
            ),
            (
                "serve",
                "serve the active session's role to SDKs on 127.0.0.1 (renewed on its own; the two "
                "variables go to the clipboard), or stop; the top bar shows the port and the requests",
            ),
            ("logout", "log out: forget cached MFA sessions and role credentials"),
            (
                "sso-sign-in",
                "sign in to IAM Identity Center (shown when an SSO session is configured): a code to "
                "check on a page you open on any device; then its accounts and roles are listed",
            ),
            (
                "=palette",
                'command palette: "assume: TARGET", "sdk profile: TARGET", "assume into profile: '
                'TARGET", "pin: TARGET", "sessions", "region", "console URL: copy", "sign in: '
                'SESSION", "refresh accounts: NAME"; words in any order ("assume prod admin")',
            ),
            ("help", "this help"),
            ("quit", "quit"),
        ],
    ),
]

COUNTDOWN = (
    "calm, then warning inside the renew margin (a bell rings once), alarm in the last "
    "2 minutes, then EXPIRED."
)
MFA = (
    "One code starts an MFA session (12h unless mfa_session_duration says otherwise). "
    "Renewals, auto-renew and other roles with the same source need no code until it ends; "
    "its time left shows in the top bar."
)
SSO = (
    "A discovered SSO role's session shows its sign-in's own time left in the top bar; when the "
    "sign-in ends, renewals and auto-renew stop and ask you to sign in again. At start, the "
    "accounts of each signed-in session are listed again in the background when the last "
    "listing is over an hour old; the roles found before stay listed meanwhile. The same goes "
    "for the organisations of [[discover.organizations]]: a role in each member account."
)
SESSIONS = (
    "Every section roleswitch wrote is a session: the top bar shows the active profile's, "
    "the line under it the others', each with its own countdown. Auto-renew renews each one "
    'inside the renew margin, one at a time. A target with profile = "NAME" always goes to '
    "[NAME]. A target of an environment with confirm = true asks before assume and renew; "
    "auto-renew asks once per session (a yes at assume counts). Environment colours mark "
    "the top bar, the line of sessions and the Sessions screen, always with the name."
)
SECRETS = (
    "The secret key and session token are written only to the credentials file, into the "
    "section roleswitch owns (marked manager = roleswitch), and, when you copy, to the "
    "clipboard through the terminal."
)

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "tab": "Tab",
}


def key_text(key: str) -> str:
    """`ctrl+r`, `?`, `F1`: a binding's key as a person types it."""
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def keys_for(bindings: list[Binding], binding_id: str) -> str | None:
    """Every key that runs the action of the binding with this id, or None if there is none."""
    named = next((b for b in bindings if b.id == binding_id), None)
    if named is None:
        return None
    keys: list[str] = []
    for binding in bindings:
        if binding.action == named.action:
            keys += [key_text(key.strip()) for key in binding.key.split(",")]
    return ", ".join(dict.fromkeys(keys))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        app = self.app
        bindings = [b for b in type(app).BINDINGS if isinstance(b, Binding)]
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Label("roleswitch keys", classes="dialog-title", markup=False)
            for section, rows in SECTIONS:
                yield Label(section, classes="help-section", markup=False)
                for source, description in rows:
                    if source == "=palette":
                        keys = key_text(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
                    elif source.startswith("="):
                        keys = source[1:]
                    else:
                        keys = keys_for(bindings, source)
                    if keys is None:
                        continue  # the app has no such key (any more): say nothing about it
                    with Horizontal(classes="help-row"):
                        yield Label(keys, classes="help-key", markup=False)
                        yield Label(description, classes="help-text", markup=False)
            yield Label("Countdown", classes="help-section", markup=False)
            yield Label(COUNTDOWN, classes="help-note", markup=False)
            yield Label("MFA", classes="help-section", markup=False)
            yield Label(MFA, classes="help-note", markup=False)
            yield Label("IAM Identity Center and Organizations", classes="help-section", markup=False)
            yield Label(SSO, classes="help-note", markup=False)
            yield Label("Several sessions and production", classes="help-section", markup=False)
            yield Label(SESSIONS, classes="help-note", markup=False)
            yield Label("Secrets", classes="help-section", markup=False)
            yield Label(SECRETS, classes="help-note", markup=False)
            yield Label("Esc closes", classes="dim", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
