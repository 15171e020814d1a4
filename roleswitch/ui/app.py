"""The roleswitch app: pick a role, watch the countdown, renew with a keypress.

Services come in through `Services`, so tests swap the STS client, the
credentials file, the catalogue and the clock. STS calls run in a thread worker
that only posts `AssumeSucceeded` / `AssumeFailed`; the countdown is recomputed
from `clock.now()` on each 1 Hz tick and never decremented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label

from roleswitch.core.clock import (
    Clock,
    Urgency,
    format_left,
    format_left_coarse,
    format_local,
    format_span,
    seconds_left,
    urgency,
)
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import (
    ActiveSession,
    AssumeResult,
    Catalogue,
    Settings,
    Target,
)
from roleswitch.ui.messages import AssumeFailed, AssumeSucceeded
from roleswitch.ui.widgets.detail import DetailPane
from roleswitch.ui.widgets.key_bar import KeyBar
from roleswitch.ui.widgets.session_bar import Note, SessionBar
from roleswitch.ui.widgets.target_list import RowStatus, TargetList

WIDE = 110  # columns from which the detail pane sits beside the list


class StsService(Protocol):
    def assume(
        self, target: Target, *, settings: Settings | None = None, mfa_code: str | None = None
    ) -> AssumeResult: ...


class MfaSessions(Protocol):
    def usable(self, target: Target, now: datetime) -> bool: ...
    def expiration(self, target: Target, now: datetime) -> datetime | None: ...
    def count(self) -> int: ...


class SdkProfileWriter(Protocol):
    def add(self, name: str, target: Target, *, active_profile: str | None = None) -> str: ...


class CredentialsStore(Protocol):
    def read_active(self, profile: str) -> ActiveSession | None: ...
    def read_credentials(self, profile: str) -> Any: ...
    def check_writable(self, profile: str, *, source_profile: str | None = None) -> None: ...
    def write(self, profile: str, result: AssumeResult) -> None: ...
    def clear(self, profile: str) -> bool: ...
    def permission_warning(self) -> str | None: ...


@dataclass
class Services:
    """Everything the app talks to, passed in so tests can swap any of it."""

    load_catalogue: Callable[[], Catalogue]
    sts: StsService
    credentials: CredentialsStore
    clock: Clock
    save_setting: Callable[[str, object], None]
    mfa_sessions: MfaSessions
    sdk_profiles: SdkProfileWriter
    logout: Callable[[], tuple[int, int]]  # forgets cached sessions: (MFA sessions, role credentials)


class FilterInput(Input):
    """The filter box; arrow and page keys move the list's highlight."""

    BINDINGS = [
        Binding("enter", "submit", "Assume", id="filter-assume"),
        Binding("escape", "app.escape", "List", id="filter-leave"),
        Binding("down", "list('cursor(1)')", show=False),
        Binding("up", "list('cursor(-1)')", show=False),
        Binding("pagedown", "list('page(1)')", show=False),
        Binding("pageup", "list('page(-1)')", show=False),
    ]

    async def action_list(self, action: str) -> None:
        await self.app.query_one(TargetList).run_action(action)


def assume_commands():
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from roleswitch.ui.commands import AssumeCommands

    return AssumeCommands


class RoleswitchApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "roleswitch"
    COMMANDS = App.COMMANDS | {assume_commands}

    BINDINGS = [
        Binding("enter", "assume", "Assume", id="assume"),
        Binding("r", "renew", "Renew", id="renew"),
        Binding("a", "toggle_auto_renew", "Auto", id="auto-renew", tooltip="Toggle auto-renew"),
        Binding("c", "copy_exports", "Copy", id="copy-exports", tooltip="Copy export lines"),
        Binding("d", "clear_session", "Clear", id="clear"),
        # ctrl keys, not letters: these also work from the filter, and typing never fires them
        Binding("ctrl+l", "logout", "Logout", id="logout", tooltip="Forget cached MFA sessions"),
        Binding("ctrl+o", "sdk_profile", "SDK profile", id="sdk-profile", show=False),
        Binding("slash", "focus_filter", "Filter", id="filter", show=False),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit-anywhere", priority=True),
        Binding("escape", "escape", "Clear filter", show=False, id="escape"),
    ]

    def __init__(self, services: Services, *, badge: str = "", freeze_gc: bool = False) -> None:
        super().__init__()
        self.services = services
        self.badge = badge
        self.freeze_gc = freeze_gc  # for a real run, which owns its process (see settle_in)
        if freeze_gc:
            import gc

            gc.disable()  # until settle_in: no collection walks 10,000 new targets mid-start-up
        self.catalogue = Catalogue(targets=())
        self.session: ActiveSession | None = None
        self.busy: str | None = None  # name of the target being assumed
        self.auto_renew = False
        self._warned_for: object = None  # the expiry we already warned about
        self._auto_tried_for: object = None  # the expiry auto-renew already acted on
        self.mfa_expiry: datetime | None = None  # of the active role's MFA session
        self.has_mfa_sessions = False
        self._detail_pending = False
        self._detail_shown: Target | None = None
        self._count_text = ""

    @property
    def settings(self) -> Settings:
        return self.catalogue.settings

    @property
    def profile(self) -> str:
        return self.settings.active_profile

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar(badge=self.badge, id="session-bar")
        with Horizontal(id="filter-row"):
            yield FilterInput(placeholder="Type to filter roles", id="filter", compact=True)
            yield Label("", id="count")
        with Horizontal(id="main"):
            yield TargetList(id="targets")
            yield DetailPane(id="detail")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        # Held once: the 1 Hz tick must not query the DOM (cheaper, and safe during teardown).
        self.bar = self.query_one(SessionBar)
        self.targets = self.query_one(TargetList)
        self.detail = self.query_one(DetailPane)
        self.filter_input = self.query_one(FilterInput)
        self.filter_input.cursor_blink = False  # a blinking cursor repaints twice a second, forever
        self.count_label = self.query_one("#count", Label)
        self.load()
        self.set_interval(1.0, self.tick)
        self.set_timer(0.3, self.settle_in)
        self.filter_input.focus()

    def settle_in(self) -> None:
        """Once the first frame is up: prepare the filter, and move everything loaded so
        far (10,000 targets) out of the garbage collector's way.

        A real run starts with collection off: start-up allocates in bursts (the
        catalogue, styles, the first paint), and each automatic full collection would
        walk every object made so far, the targets included. Here one collection clears
        what start-up left, and gc.freeze spares every later full collection, which
        would otherwise walk every target mid-keystroke. Nothing is kept alive by it
        (objects are still freed when no longer referenced)."""
        import gc

        self.targets.prepare_filter()
        if self.freeze_gc:
            gc.collect()
            gc.freeze()
            gc.enable()

    def on_resize(self, event: events.Resize) -> None:
        self.screen.set_class(event.size.width < WIDE, "-narrow")

    def load(self) -> None:
        """(Re)read the catalogue and the active session; problems become notifications."""
        self.catalogue = self.services.load_catalogue()
        self.auto_renew = self.settings.auto_renew
        session_problem = None
        try:
            self.session = self.services.credentials.read_active(self.profile)
        except RoleswitchError as error:
            self.session, session_problem = None, str(error)
        # Highlighted once, on the active role when there is one: a first highlight that
        # is at once moved would cost start-up a second round of updates.
        self.targets.set_catalogue(
            self.catalogue, highlight=self.session.target_name if self.session else None
        )
        if self.catalogue.problems:
            self.notify(
                "\n".join(self.catalogue.problems),
                title="Configuration problems",
                severity="warning",
                timeout=12,
            )
        warning = self.services.credentials.permission_warning()
        if warning:
            self.notify(warning, title="Credentials file", severity="warning", timeout=12)
        if session_problem:
            self.notify(session_problem, title="Credentials file", severity="error", timeout=12)
        self.update_count()
        self.session_changed()

    # --- the countdown ------------------------------------------------------------

    def tick(self) -> None:
        """Recompute the time left from the clock; warn once, auto-renew once per expiry."""
        session = self.session
        bar = self.bar
        now = self.services.clock.now()
        notes = []
        if self.mfa_expiry is not None:
            mfa_left = seconds_left(self.mfa_expiry, now)
            suffix = " left" if mfa_left > 0 else ""
            notes.append(
                Note(f"MFA session {format_left(mfa_left)}{suffix}", f"MFA {format_left_coarse(mfa_left)}")
            )
        if self.auto_renew:
            notes.append(Note("auto-renew on", "auto-renew"))
        if session is None or session.expiration is None:
            bar.show("", "", None, notes)
            return
        left = seconds_left(session.expiration, now)
        band = urgency(left, self.settings.renew_margin_seconds)
        text = format_left(left) + (" left" if left > 0 else "")
        if band is Urgency.EXPIRED:
            text = text.replace("expired", "EXPIRED", 1)
        name = session.target_name or session.role_arn or "?"
        bar.show(name, text, band, notes, profile=session.profile)
        if self.busy != name:
            row_text = format_left_coarse(left) + (" left" if left > 0 else "")
            if band is Urgency.EXPIRED:
                row_text = text
            self.targets.set_row_status(name, RowStatus(row_text, band.value))
        if band is not Urgency.CALM and self._warned_for != session.expiration:
            self._warned_for = session.expiration
            if band is Urgency.EXPIRED:
                self.notify(f"{name} has expired; press r to renew.", severity="error")
            else:
                self.notify(f"{name} expires in {format_span(left)}; press r to renew.", severity="warning")
            self.bell()
        if (
            self.auto_renew
            and band is not Urgency.CALM
            and self.busy is None
            and self._auto_tried_for != session.expiration
        ):
            self._auto_tried_for = session.expiration
            self.auto_renew_now(session)

    def auto_renew_now(self, session: ActiveSession) -> None:
        target = self.catalogue.find(session.target_name or "")
        if target is None:
            self.notify(
                f"Auto-renew cannot renew {session.target_name}: it is no longer configured.",
                severity="warning",
            )
        elif target.needs_mfa and not self.mfa_session_usable(target):
            self.notify(
                f"Auto-renew cannot renew {target.name}: its MFA session has ended; press r "
                "and enter a code.",
                severity="warning",
            )
        else:
            self.start_assume(target, renewal=True, automatic=True)

    def mfa_session_usable(self, target: Target) -> bool:
        try:
            return self.services.mfa_sessions.usable(target, self.services.clock.now())
        except RoleswitchError:
            return False

    def mfa_changed(self) -> None:
        """Re-read the MFA cache: the active role's session end, and whether any exist."""
        target = self.catalogue.find(self.session.target_name or "") if self.session else None
        try:
            now = self.services.clock.now()
            self.mfa_expiry = (
                self.services.mfa_sessions.expiration(target, now) if target and target.needs_mfa else None
            )
            self.has_mfa_sessions = self.services.mfa_sessions.count() > 0
        except (RoleswitchError, OSError):
            self.mfa_expiry, self.has_mfa_sessions = None, False

    def session_changed(self) -> None:
        self.mfa_changed()
        target_list = self.targets
        target_list.set_active(self.session.target_name if self.session else None)
        self.tick()
        self.show_detail(target_list.highlighted)
        self.refresh_bindings()

    # --- assuming -------------------------------------------------------------------

    def start_assume(self, target: Target, *, renewal: bool = False, automatic: bool = False) -> None:
        """Check, ask for MFA if needed, then assume in a worker."""
        if self.busy is not None:
            self.notify(f"Still assuming {self.busy}; wait for it to finish.", severity="warning")
            return
        if not target.valid:
            self.notify(f"{target.name} cannot be assumed: {target.problem}", severity="error")
            return
        try:
            self.services.credentials.check_writable(self.profile, source_profile=target.source_profile)
        except RoleswitchError as error:
            self.notify(str(error), title="Nothing was written", severity="error", timeout=10)
            return
        if target.needs_mfa and not self.mfa_session_usable(target):
            self.ask_mfa_code(target, renewal, automatic, self.mfa_reason())
        else:
            self.run_assume(target, None, renewal, automatic)

    def mfa_reason(self) -> str:
        seconds = self.settings.mfa_session_seconds
        span = f"{seconds // 3600}-hour" if seconds % 3600 == 0 else format_span(seconds)
        return f"One code starts a {span} MFA session: renewals need no code until it ends."

    def ask_mfa_code(
        self, target: Target, renewal: bool, automatic: bool, reason: str, *, alarm: bool = False
    ) -> None:
        def answered(code: str | None) -> None:
            if code is None:
                self.notify("Cancelled: nothing was written.")
            else:
                self.run_assume(target, code, renewal, automatic)

        from roleswitch.ui.screens.mfa import MfaScreen

        self.push_screen(MfaScreen(target, reason, alarm=alarm), answered)

    def run_assume(self, target: Target, code: str | None, renewal: bool, automatic: bool) -> None:
        self.busy = target.name
        self.targets.set_row_status(target.name, RowStatus("renewing…" if renewal else "assuming…", "busy"))
        self.refresh_bindings()
        self.assume_worker(target, code, self.profile, renewal, automatic)

    @work(thread=True, exclusive=True, group="sts", exit_on_error=False)
    def assume_worker(
        self, target: Target, code: str | None, profile: str, renewal: bool, automatic: bool
    ) -> None:
        """Blocking STS call and file write, off the UI thread; reports by message only."""
        try:
            result = self.services.sts.assume(target, settings=self.settings, mfa_code=code)
            self.services.credentials.write(profile, result)
        except RoleswitchError as error:
            code_name = getattr(error, "code", "error")
            self.post_message(AssumeFailed(target, str(error), code_name, automatic))
        except Exception as error:  # never a traceback for the person
            self.post_message(
                AssumeFailed(target, f"Unexpected error: {type(error).__name__}.", "error", automatic)
            )
        else:
            self.post_message(AssumeSucceeded(result, profile, renewal))

    def on_assume_succeeded(self, message: AssumeSucceeded) -> None:
        result = message.result
        self.busy = None
        target_list = self.targets
        if self.session and self.session.target_name:
            target_list.set_row_status(self.session.target_name, None)
        target_list.set_row_status(result.target.name, None)
        self.session = ActiveSession(
            profile=message.profile,
            target_name=result.target.name,
            role_arn=result.target.role_arn,
            assumed_arn=result.assumed_arn,
            access_key_id=result.credentials.access_key_id,
            expiration=result.credentials.expiration,
            region=result.region,
        )
        verb = "Renewed" if message.renewal else "Assumed"
        self.notify(
            f"{verb} {result.target.name} into [{message.profile}] until "
            f"{format_local(result.credentials.expiration)}.",
            title=verb,
        )
        self.session_changed()
        if isinstance(self.focused, Input):
            target_list.focus()

    def on_assume_failed(self, message: AssumeFailed) -> None:
        self.busy = None
        self.targets.set_row_status(message.target.name, None)
        if message.code == "mfa-session-ended":
            self.mfa_changed()
            if not message.automatic:  # asked again, once, saying why
                self.ask_mfa_code(message.target, False, False, message.message, alarm=True)
                self.tick()
                self.refresh_bindings()
                return
        title = "Auto-renew failed" if message.automatic else f"Could not assume {message.target.name}"
        self.notify(message.message, title=title, severity="error", timeout=12)
        self.tick()
        self.refresh_bindings()

    def assume_by_name(self, name: str) -> None:
        target = self.catalogue.find(name)
        if target is not None:
            self.targets.highlight(name)
            self.start_assume(target)

    # --- list and filter events --------------------------------------------------------

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        target_list = self.targets
        target_list.set_filter(event.value)
        self.update_count()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.action_assume()

    def on_target_list_highlighted(self, message: TargetList.Highlighted) -> None:
        self.update_count()
        self.refresh_bindings()
        # The list is what a typing person watches: paint it first, the detail pane
        # one frame later (it would otherwise double the cost of every keystroke).
        # The pane then shows what is highlighted by then, not what this message says:
        # later messages may already have moved the highlight on.
        if not self._detail_pending and self.targets.highlighted is not self._detail_shown:
            self._detail_pending = True
            self.call_after_refresh(self._show_pending_detail)

    def _show_pending_detail(self) -> None:
        self._detail_pending = False
        target = self.targets.highlighted
        if target is not self._detail_shown:
            self.show_detail(target)

    def on_target_list_selected(self, message: TargetList.Selected) -> None:
        self.start_assume(message.target)

    def show_detail(self, target: Target | None) -> None:
        self._detail_shown = target
        self.detail.show(target, self.settings, self.session)

    def update_count(self) -> None:
        target_list = self.targets
        if target_list.filter_text:
            text = f"{target_list.match_count} of {target_list.total}"
        else:
            text = f"{target_list.total} role{'s' if target_list.total != 1 else ''}"
        if text != self._count_text:
            self._count_text = text
            self.count_label.update(text, layout=False)  # fixed width: no relayout per keystroke

    def on_key(self, event: events.Key) -> None:
        """A printable key in the list that is not a command starts filtering."""
        if (
            isinstance(self.focused, TargetList)
            and event.is_printable
            and event.character
            and not event.key.startswith(("alt+", "ctrl+", "meta+", "super+"))
            and event.key not in self.active_bindings
        ):
            event.stop()
            filter_input = self.filter_input
            filter_input.focus()
            filter_input.insert_text_at_cursor(event.character)

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that cannot act right now (None = shown but disabled)."""
        if action == "assume":
            targets = getattr(self, "targets", None)  # None until mounted
            target = targets.highlighted if targets is not None else None
            return True if target is not None and target.valid and self.busy is None else None
        if action == "renew":
            ok = (
                self.session is not None
                and self.busy is None
                and self.catalogue.find(self.session.target_name or "") is not None
            )
            return True if ok else None
        if action in ("copy_exports", "clear_session"):
            return True if self.session is not None and self.busy is None else None
        if action == "logout":
            return self.has_mfa_sessions  # hidden while there is nothing to forget
        if action == "sdk_profile":
            targets = getattr(self, "targets", None)
            target = targets.highlighted if targets is not None else None
            return True if target is not None and target.valid else None
        return True

    def action_assume(self) -> None:
        target = self.targets.highlighted
        if target is not None:
            self.start_assume(target)

    def action_renew(self) -> None:
        if self.session is None:
            self.notify("No active session to renew; pick a role and press Enter.")
            return
        target = self.catalogue.find(self.session.target_name or "")
        if target is None:
            self.notify(
                f"{self.session.target_name} is no longer configured; pick a role to assume.",
                severity="warning",
            )
            return
        self.start_assume(target, renewal=True)

    def action_toggle_auto_renew(self) -> None:
        value = not self.auto_renew
        try:
            self.services.save_setting("auto_renew", value)
        except RoleswitchError as error:
            self.notify(str(error), title="Auto-renew not saved", severity="error", timeout=10)
            return
        self.auto_renew = value
        self._auto_tried_for = None
        if value and self.session:
            target = self.catalogue.find(self.session.target_name or "")
            if target is not None and target.needs_mfa and not self.mfa_session_usable(target):
                self.notify(
                    f"Auto-renew is on, but {target.name} has no open MFA session: renew it with r "
                    "once and enter a code.",
                    severity="warning",
                )
            else:
                self.notify("Auto-renew is on: the session renews inside the renew margin.")
        else:
            self.notify(f"Auto-renew is {'on' if value else 'off'}.")
        self.tick()

    def action_copy_exports(self) -> None:
        from roleswitch.core.exports import export_lines

        try:
            credentials = self.services.credentials.read_credentials(self.profile)
        except RoleswitchError as error:
            self.notify(str(error), severity="error")
            return
        if credentials is None or self.session is None:
            self.notify("No active session to copy.", severity="warning")
            return
        self.copy_to_clipboard("\n".join(export_lines(credentials, self.session.region)) + "\n")
        self.notify(f"Copied export lines for {self.session.target_name} to the clipboard.")

    def action_clear_session(self) -> None:
        session = self.session
        if session is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                removed = self.services.credentials.clear(session.profile)
            except RoleswitchError as error:
                self.notify(str(error), title="Nothing was removed", severity="error", timeout=10)
                return
            if self.session and self.session.target_name:
                self.targets.set_row_status(self.session.target_name, None)
            self.session = None
            self.session_changed()
            self.notify(f"Removed [{session.profile}]." if removed else "Nothing to remove.")

        from roleswitch.ui.screens.confirm import ConfirmScreen

        self.push_screen(
            ConfirmScreen(f"Remove [{session.profile}] ({session.target_name}) from the credentials file?"),
            answered,
        )

    def action_logout(self) -> None:
        try:
            sessions, roles = self.services.logout()
        except RoleswitchError as error:
            self.notify(str(error), severity="error")
            return
        self.mfa_changed()
        self.tick()
        self.refresh_bindings()
        self.notify(
            f"Forgot {sessions} MFA session{'s' if sessions != 1 else ''} and {roles} cached role "
            f"credential{'s' if roles != 1 else ''}; the next MFA role asks for a code.",
            title="Logged out",
        )

    def action_sdk_profile(self) -> None:
        target = self.targets.highlighted
        if target is not None:
            self.write_sdk_profile(target.name)

    def write_sdk_profile(self, target_name: str) -> None:
        """Write a credential_process profile for the target into the AWS config file."""
        from roleswitch.core.sdk_profiles import default_profile_name

        target = self.catalogue.find(target_name)
        if target is None:
            return
        name = default_profile_name(target)
        try:
            self.services.sdk_profiles.add(name, target, active_profile=self.profile)
        except RoleswitchError as error:
            self.notify(str(error), title="Profile not written", severity="error", timeout=10)
            return
        self.notify(
            f"Wrote [profile {name}] with credential_process to the AWS config file: SDKs using "
            f"AWS_PROFILE={name} get {target.name} and refresh it on their own.",
            title="SDK profile",
            timeout=10,
        )

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_escape(self) -> None:
        filter_input = self.filter_input
        if self.focused is filter_input:
            self.targets.focus()
        elif filter_input.value:
            filter_input.value = ""

    def action_help(self) -> None:
        from roleswitch.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Messages name profiles like `[default]`: never read them as markup."""
        super().notify(message, markup=markup, **kwargs)
