"""Sign in to IAM Identity Center from the app: the code, the page to open it on, and the wait.

The blocking sign-in (RegisterClient, StartDeviceAuthorization, CreateToken polled at
the interval the service asks for) runs in a thread worker that only posts messages;
this screen shows what they say. Nothing here needs a browser on this machine: the page
works on any device (over SSH, a laptop or a phone), so `o` only saves typing, `c`
copies the address (it carries the code), and Esc stops the wait at once.

Only the user code and the page's address are shown: the access token never reaches
the UI. Texts are shown as written (never read as markup) and wrap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from roleswitch.core.errors import RoleswitchError
from roleswitch.ui.messages import SsoCodeShown, SsoSignInEnded
from roleswitch.ui.screens.dialog import Dialog

if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp
    from roleswitch.ui.sso import IdentityCenterService

CANCELLED = "Sign-in cancelled; nothing was written."
WAITING_HINT = "c copy address · o open browser here · Esc cancel"
DEMO_HINT = "a approve (demo) · c copy address · o open browser · Esc cancel"


@dataclass(frozen=True)
class SignInOutcome:
    """What the sign-in dialog ends with: `expires_at` when signed in, else why not
    (one sentence) and the core's code ("cancelled", "denied", "expired"...)."""

    session: str
    expires_at: datetime | None
    message: str = ""
    code: str = ""


def spaced(user_code: str) -> str:
    """`WXYZ-BCDF` as `W X Y Z - B C D F`: easier to read off and compare at a glance."""
    return " ".join(user_code)


class SsoLoginScreen(Dialog[SignInOutcome]):
    """Runs the sign-in of one SSO session; dismisses with a `SignInOutcome`."""

    CLOSE_AFTER = 1.0  # seconds "Signed in…" stays up before the dialog closes

    BINDINGS = [
        Binding("a", "approve", "Approve (demo)", id="sso-approve"),
        Binding("c", "copy", "Copy address", id="sso-copy"),
        Binding("o", "open", "Open browser", id="sso-open"),
        Binding("escape", "cancel", "Cancel", id="sso-cancel"),
    ]

    def __init__(self, session: str, service: IdentityCenterService, *, browser: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.service = service
        self.browser = browser  # the `browser` setting's command template, if any
        self.code: SsoCodeShown | None = None
        self.outcome: SignInOutcome | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        with Vertical(id="sso-dialog", classes="dialog"):
            yield Label(
                f"Sign in to {self.session} (IAM Identity Center)", classes="dialog-title", markup=False
            )
            yield Label("Asking IAM Identity Center for a sign-in code…", id="sso-intro", markup=False)
            yield Label("", id="sso-url", markup=False)
            with Center(id="sso-code-row"):
                yield Label("", id="sso-code", markup=False)
            yield Label("", id="sso-status", classes="dim", markup=False)
            yield Label("Esc cancel", id="sso-hint", classes="dim", markup=False)

    def on_mount(self) -> None:
        self.query_one("#sso-code-row").display = False
        self.query_one("#sso-url").display = False
        self.run_sign_in()

    def on_unmount(self) -> None:
        self._cancel.set()  # the app is closing, or the dialog went: stop polling

    # --- the blocking sign-in, off the UI thread ---------------------------------------

    @work(thread=True, exclusive=True, group="sso-sign-in")
    def run_sign_in(self) -> None:
        worker = get_current_worker()

        def cancelled() -> bool:
            return self._cancel.is_set() or worker.is_cancelled

        def show(user_code: str, uri: str, complete: str, expires_in: int) -> None:
            self.post_message(SsoCodeShown(user_code, uri, complete, expires_in))

        try:
            expires_at = self.service.sign_in(self.session, show, cancelled)
        except RoleswitchError as error:
            self.post_message(SsoSignInEnded(None, str(error), getattr(error, "code", "error")))
        except Exception as error:  # never a traceback for the person
            self.post_message(SsoSignInEnded(None, f"Unexpected error: {type(error).__name__}.", "error"))
        else:
            self.post_message(SsoSignInEnded(expires_at))

    def on_sso_code_shown(self, message: SsoCodeShown) -> None:
        message.stop()
        self.code = message
        minutes = max(1, round(message.expires_in / 60))
        self.query_one("#sso-intro", Label).update(
            "Open this page on any device (this one, a laptop, a phone) and check it shows this code:"
        )
        url = self.query_one("#sso-url", Label)
        url.update(message.complete)
        url.display = True
        self.query_one("#sso-code", Label).update(spaced(message.user_code))
        self.query_one("#sso-code-row").display = True
        self.say(f"Waiting for approval; the code expires in {minutes} minute{'s' if minutes != 1 else ''}.")
        self.query_one("#sso-hint", Label).update(
            DEMO_HINT if self.service.approve_device is not None else WAITING_HINT
        )
        self.refresh_bindings()

    def on_sso_sign_in_ended(self, message: SsoSignInEnded) -> None:
        message.stop()
        if self.outcome is not None:
            return  # cancelled already
        self.outcome = SignInOutcome(self.session, message.expires_at, message.message, message.code)
        if message.expires_at is None:
            self.answer(self.outcome)
            return
        self.say(f"Signed in as {self.session}; finding accounts…", "success")
        self.query_one("#sso-hint", Label).update("")
        self.refresh_bindings()
        outcome = self.outcome

        def close() -> None:
            self.answer(outcome)

        self.set_timer(self.CLOSE_AFTER, close)

    def say(self, text: str, style: str = "dim") -> None:
        status = self.query_one("#sso-status", Label)
        status.update(text)
        for name in ("dim", "success", "error"):
            status.set_class(name == style, name)

    # --- keys -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("copy", "open"):
            return self.code is not None and self.outcome is None
        if action == "approve":
            return self.code is not None and self.outcome is None and self.service.approve_device is not None
        return True

    def action_cancel(self) -> None:
        self._cancel.set()
        if self.outcome is None:
            self.outcome = SignInOutcome(self.session, None, CANCELLED, "cancelled")
            self.answer(self.outcome)

    def action_copy(self) -> None:
        code = self.code
        if code is None:
            return
        text = code.complete

        def copy() -> str | None:
            from roleswitch.core.clipboard import ClipboardError, clipboard_command, copy_with

            command = clipboard_command()
            if command is None:
                return None
            try:
                copy_with(command, text)
            except ClipboardError:
                return None
            return command[0].rsplit("/", 1)[-1]

        def copied(tool: str | None, error: str | None) -> None:
            if tool is None:
                self.app.copy_to_clipboard(text)  # OSC 52: the terminal may drop it
                self.say(
                    "Sent the address to the terminal's clipboard (OSC 52); if nothing was copied, "
                    "select it above."
                )
            else:
                self.say(f"Copied the address (it carries the code) with {tool}.")

        self._in_background(copy, copied)

    def action_open(self) -> None:
        code = self.code
        if code is None:
            return
        url, browser = code.complete, self.browser

        def open_page() -> str:
            from roleswitch.core.browser import open_url

            return open_url(url, template=browser, container="", colour="")

        def opened(name: str | None, error: str | None) -> None:
            if error is not None:
                self.say(
                    "No browser could be opened here (over SSH?); open the page above on any device "
                    "and check the code.",
                    "error",
                )
            else:
                self.say(f"Opened the page with {name}; approve it there, then come back.")

        self._in_background(open_page, opened)

    def action_approve(self) -> None:
        approve, code = self.service.approve_device, self.code
        if approve is None or code is None:
            return
        user_code = code.user_code

        def approved(_: object, error: str | None) -> None:
            if error is not None:
                self.say(error, "error")
            else:
                self.say("Approved (demo); waiting for IAM Identity Center to hand out the sign-in…")

        self._in_background(lambda: approve(user_code), approved)

    def _in_background(self, job: Callable[[], Any], done: Callable[[Any, str | None], None]) -> None:
        """The app's daemon-thread jobs; `done` runs on the UI thread, and not once the dialog went."""

        def if_still_open(outcome: Any, error: str | None) -> None:
            if self.is_attached:
                done(outcome, error)

        cast("RoleswitchApp", self.app).in_background(job, if_still_open)


class SsoSessionPicker(Dialog[str | None]):
    """Which SSO session to sign in to, when there are several; returns its name or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sso-pick-cancel")]

    def __init__(self, rows: list[tuple[str, str]], default: int = 0) -> None:
        super().__init__()
        self.rows = rows  # (session name, how it stands)
        self.default = default

    def compose(self) -> ComposeResult:
        width = max(len(name) for name, _ in self.rows)
        with Vertical(id="sso-picker", classes="dialog"):
            yield Label("Sign in to which SSO session?", classes="dialog-title", markup=False)
            yield OptionList(
                *(Option(Content(f"{name:<{width}}  {said}"), id=name) for name, said in self.rows),
                id="sso-sessions",
                compact=True,
            )
            yield Label("Enter signs in · Esc cancels", classes="dim", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.default
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.answer(event.option.id)

    def action_cancel(self) -> None:
        self.answer(None)
