"""The roleswitch app: pick a role, watch the countdown, renew with a keypress.

Services come in through `Services`, so tests swap the STS client, the
credentials file, the catalogue and the clock. Anything that can wait (STS, a
file lock, a clipboard command) runs in a background job that only posts
messages; the countdown is recomputed from `clock.now()` on each 1 Hz tick and
never decremented. The tick also follows the credentials file and the cache
folder (one stat each), so what other terminals do shows here, and is never
overwritten by a renewal of what they replaced.

Every session roleswitch manages in the credentials file is followed, not only the
active profile's: the others show in a strip under the top bar and in the Sessions
screen (ctrl+t), each with its own countdown, auto-renewal (one STS call at a time, in
a queue) and failure note. A target of an environment with `confirm = true` asks
before it is assumed or renewed; auto-renew renews it only after a yes (ctrl+a's one
question, or one given at assume or renew) and never asks a question unprompted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label
from textual.widgets.input import Selection

from roleswitch.core import paths
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
from roleswitch.core.credentials_file import CHOOSE_ANOTHER, NO_SESSION
from roleswitch.core.errors import NameTaken, RoleswitchError, SessionReplaced
from roleswitch.core.file_watch import FileWatch
from roleswitch.core.model import (
    ActiveSession,
    AssumeResult,
    Catalogue,
    Environment,
    Settings,
    Target,
)
from roleswitch.ui.messages import (
    AssumeChecked,
    AssumeFailed,
    AssumeSucceeded,
    JobDone,
    RenewalSuperseded,
    SsoDiscoveryProgress,
)
from roleswitch.ui.organizations import OrganizationRefresh, OrganizationsService
from roleswitch.ui.serving import ServeKey
from roleswitch.ui.sso import SIGN_IN_KEY, IdentityCenterService, SsoKey, sso_session_of
from roleswitch.ui.widgets.detail import DetailPane
from roleswitch.ui.widgets.key_bar import KeyBar
from roleswitch.ui.widgets.session_bar import Note, SessionBar
from roleswitch.ui.widgets.session_strip import SessionStrip, StripEntry
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
    def add(
        self, name: str, target: Target, *, active_profile: str | None = None, yes: bool = False
    ) -> str: ...


class CredentialsStore(Protocol):
    path: Path  # watched by the tick: one stat a second

    def read_active(self, profile: str) -> ActiveSession | None: ...
    def read_credentials(self, profile: str) -> Any: ...
    def check_writable(self, profile: str, *, source_profile: str | None = None) -> None: ...
    def write(self, profile: str, result: AssumeResult, *, expect_access_key_id: Any = None) -> None: ...
    def clear(self, profile: str, *, expect_access_key_id: str | None = None) -> bool: ...
    def permission_warning(self) -> str | None: ...
    def sessions(self) -> tuple[ActiveSession, ...]: ...  # every roleswitch section, file order
    def copy_session(self, from_profile: str, to_profile: str, *, expect_access_key_id: str) -> None: ...
    def set_region(self, profile: str, region: str | None, *, expect_access_key_id: str) -> None: ...


class UsageStore(Protocol):
    """core.usage.UsageStore: pins and frecency, in roleswitch's state folder."""

    def load(self, *, now: datetime | None = None) -> Any: ...
    def toggle_pin(self, name: str) -> bool: ...
    def record_use(self, name: str, now: datetime) -> None: ...


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
    # Makes the console opener (core.console.ConsoleOpener) on first use: its HTTP modules are
    # not start-up's. None: no console key.
    console: Callable[[], Any] | None = None
    # Serves a target's credentials on 127.0.0.1 (serve.background.serve_in_background): blocking,
    # run off the UI thread; returns a handle with port, answered, stop. None: no serve key.
    serve: Callable[[Target, Settings], Any] | None = None
    # IAM Identity Center: sessions, sign-in, discovery (ui.sso). None: no sign-in key.
    sso: IdentityCenterService | None = None
    # AWS Organizations listings (ui.organizations). None: never refreshed from the app.
    organizations: OrganizationsService | None = None
    # Pins and recent use (core.usage.UsageStore). None: no pin key, nothing recorded.
    usage: UsageStore | None = None
    # Writes `profile = "NAME"` for a TOML target into the user's TOML (settings_store's
    # remember_profile). None: the profile prompt does not offer to remember.
    remember_profile: Callable[[Target, str], None] | None = None


# The app's commands are ctrl keys, so that typing can never run one: every printable
# key typed in the list goes to the filter. These three are the filter box's own
# editing keys in Textual (Home, Delete and End still do those); here they are the app's.
COMMAND_KEYS_TAKEN_FROM_INPUT = ("ctrl+a", "ctrl+d", "ctrl+e")


def _input_bindings_without(keys: tuple[str, ...]) -> list[Binding]:
    kept = []
    for binding in Input.BINDINGS:
        assert isinstance(binding, Binding)
        rest = [key for key in binding.key.split(",") if key.strip() not in keys]
        if rest:
            kept.append(dataclasses.replace(binding, key=",".join(rest)))
    return kept


class FilterInput(Input, inherit_bindings=False):
    """The filter box; arrow and page keys move the list's highlight."""

    BINDINGS = [
        Binding("enter", "submit", "Assume", id="filter-assume"),
        Binding("escape", "app.escape", "List", id="filter-leave"),
        Binding("down", "list('cursor(1)')", show=False),
        Binding("up", "list('cursor(-1)')", show=False),
        Binding("pagedown", "list('page(1)')", show=False),
        Binding("pageup", "list('page(-1)')", show=False),
        *_input_bindings_without(COMMAND_KEYS_TAKEN_FROM_INPUT),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._typed_from_list = False

    async def action_list(self, action: str) -> None:
        await self.app.query_one(TargetList).run_action(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":  # Enter: greyed out with no match (an invalid role still explains itself)
            return True if self.app.query_one(TargetList).highlighted is not None else None
        return True

    def start_typing(self, character: str) -> None:
        """A key typed in the list starts a new filter with it.

        Focusing the box selects its text (so typing replaces it), but only when the
        Focus event arrives, after this key was inserted: the next key then replaced
        it, and `stag` became `tag`. The key replaces the old text here instead, and
        the selection is skipped once. Keys that arrive together (fast typing, one read
        from the terminal) all reach the list before the focus moves: while that focus is
        pending, each one adds to what the first started."""
        self.value = self.value + character if self._typed_from_list else character
        self.cursor_position = len(self.value)
        self._typed_from_list = True
        self.focus()

    @property
    def typing_pending(self) -> bool:
        """Keys typed in the list are on their way here (the focus has not moved yet)."""
        return self._typed_from_list

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        event.prevent_default()  # Input's own handler would run after this one and select again
        if self._typed_from_list:
            self._typed_from_list = False
            self.selection = Selection.cursor(len(self.value))


def same_session(a: ActiveSession | None, b: ActiveSession | None) -> bool:
    """Whether two reads of the active profile hold the same session (same keys, same role)."""
    if a is None or b is None:
        return a is b
    return (a.access_key_id, a.target_name) == (b.access_key_id, b.target_name)


def assume_commands():
    """The palette's provider, imported when the palette first opens (not at start-up)."""
    from roleswitch.ui.commands import AssumeCommands

    return AssumeCommands


class RoleswitchApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "roleswitch"
    COMMANDS = App.COMMANDS | {assume_commands}

    # Commands are ctrl keys, never letters: they work from the filter and the list
    # alike, and typing (which always goes to the filter) can never fire one.
    BINDINGS = [
        Binding("enter", "assume", "Assume", id="assume"),
        Binding("ctrl+r", "renew", "Renew", id="renew"),
        Binding("ctrl+a", "toggle_auto_renew", "Auto", id="auto-renew", tooltip="Toggle auto-renew"),
        Binding("ctrl+e", "copy_exports", "Copy", id="copy-exports", tooltip="Copy export lines"),
        Binding("ctrl+d", "clear_session", "Clear", id="clear"),
        Binding("ctrl+l", "logout", "Logout", id="logout", tooltip="Forget cached MFA sessions"),
        Binding("ctrl+o", "sdk_profile", "SDK profile", id="sdk-profile", show=False),
        Binding("ctrl+b", "console", "Console", id="console", show=False, tooltip="Open the AWS console"),
        Binding("ctrl+s", "serve", "Serve", id="serve", show=False, tooltip="Serve the session to SDKs"),
        Binding("ctrl+t", "sessions", "Sessions", id="sessions", tooltip="Every session, with its own keys"),
        Binding("ctrl+f", "pin", "Pin", id="pin", show=False, tooltip="Pin or unpin the highlighted role"),
        Binding(
            "ctrl+y", "assume_into", "Into", id="assume-into", show=False, tooltip="Assume into a profile"
        ),
        Binding("ctrl+g", "region", "Region", id="region", show=False, tooltip="The active session's region"),
        Binding(SIGN_IN_KEY, "sso_sign_in", "Sign in", id="sso-sign-in", tooltip="Sign in to SSO"),
        Binding("slash", "focus_filter", "Filter", id="filter", show=False),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("f1", "help", "Help", id="help-anywhere", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("escape", "escape", "Clear filter", show=False, id="escape"),
    ]

    # Keys the key bar names only when it has room for them beside every key it shows (wide
    # terminals); Help and the palette name them at any size.
    KEY_BAR_EXTRAS = ("pin", "assume-into", "region")

    def __init__(
        self, services: Services, *, badge: str = "", on_settled: Callable[[], None] | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.badge = badge
        self.on_settled = on_settled  # the launcher's: its first frame is up (see settle_in)
        self.catalogue = Catalogue(targets=())
        self.session: ActiveSession | None = None
        self.busy: str | None = None  # name of the target being assumed
        self.auto_renew = False
        self._warned_for: object = None  # the expiry we already warned about
        self._auto_tried_for: object = None  # the expiry auto-renew already acted on
        self.mfa_expiry: datetime | None = None  # of the active role's MFA session
        self.has_mfa_sessions = False
        self.renew_problem: str | None = None  # shown in the bar until the next success
        self.clearing = False  # our own clear is writing the file
        self.saving_auto_renew = False
        self.jobs_running = 0  # background jobs whose JobDone has not been handled yet
        self.credentials_watch: FileWatch | None = None
        self.cache_watch: FileWatch | None = None
        self._detail_pending = False
        self._detail_shown: Target | None = None
        self._count_text = ""
        self.serve_key = ServeKey(self)
        self.sso_key = SsoKey(self)
        self.organization_refresh = OrganizationRefresh(self)
        # The sessions outside the active profile, by profile, in file order.
        self.others: dict[str, ActiveSession] = {}
        self.others_read = False  # the other sessions have been read once (after the first frame)
        self.settled = False  # the first frame is up and the start-up reads have begun
        self.sso_read_started = False
        self.organizations_read_started = False
        self.session_problems: dict[str, str] = {}  # profile: its last auto-renewal's failure note
        self._auto_tried: dict[str, object] = {}  # profile: the expiry auto-renew acted on
        self.renew_queue: list[str] = []  # profiles waiting for their auto-renewal, one STS call at a time
        # Confirm-gated sessions: profile -> the target a yes (or a no) was given for, this session.
        self.confirmed: dict[str, str] = {}
        self.declined: dict[str, str] = {}
        self.asking = False  # a renewal's confirmation is on screen
        self.writing = 0  # our own writes other than assume/clear (region, make default) in flight
        self.usage: Any = None
        self.sessions_screen: Any = None  # the Sessions screen while it is open

    @property
    def settings(self) -> Settings:
        return self.catalogue.settings

    @property
    def profile(self) -> str:
        return self.settings.active_profile

    # --- layout ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar(badge=self.badge, id="session-bar")
        yield SessionStrip(id="session-strip")
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
        self.strip = self.query_one(SessionStrip)
        self.strip.display = False
        self.filter_row = self.query_one("#filter-row")
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
        """Once the first frame is up: prepare the filter, and tell the launcher, which
        kept the garbage collector off for the start (`launch.collector_paused_for_start_up`).
        The filter's index (tens of ms at 10,000 targets) is built in an event-loop turn of
        its own, so it does not add to this one's work in a single stall."""
        self.set_timer(0.05, self.targets.prepare_filter)
        if self.on_settled is not None:
            self.on_settled()
        self.settled = True
        self.start_background_reads()
        self.read_usage()
        self.call_after_refresh(self.read_others_at_start)  # in a turn of its own

    def start_background_reads(self) -> None:
        """Identity Center sign-ins and organisation listings, read in the background once
        the app has settled, and only when the catalogue has some configured: each read
        parses the AWS config and the TOML again. A reload that adds one starts its read."""
        catalogue = self.catalogue
        if catalogue.sso_configured and not self.sso_read_started:
            self.sso_read_started = True
            self.sso_key.read_statuses(at_start=True)
        if catalogue.organizations_configured and not self.organizations_read_started:
            self.organizations_read_started = True
            self.organization_refresh.start()

    def on_resize(self, event: events.Resize) -> None:
        # On the main screen, even while another (Sessions, a dialog) is on top of it.
        if self.screen_stack:
            self.screen_stack[0].set_class(event.size.width < WIDE, "-narrow")

    def load(self) -> None:
        """(Re)read the catalogue and the active session; problems become notifications."""
        self.sso_key.note_discoveries()  # before the read: a discovery landing during it is seen
        self.catalogue = self.services.load_catalogue()
        self.auto_renew = self.settings.auto_renew
        # Watched from before the first read: a write during the read is seen at the next tick.
        self.credentials_watch = FileWatch(str(self.services.credentials.path))
        self.cache_watch = FileWatch(paths.cache_location())
        session_problem = None
        try:
            self.session = self.services.credentials.read_active(self.profile)
        except RoleswitchError as error:
            self.session, session_problem = None, str(error)
        # The other sessions (a scan of the file, a line of its own that does not move the
        # list): at start, once the app has settled (settle_in), so the first frame pays for
        # nothing it does not show; on a reload, right after its frame.
        if self.others_read:
            self.call_after_refresh(self.read_others_at_start)
        if self.settled:
            self.start_background_reads()
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
        """Follow the files, recompute the time left from the clock; auto-renew once per
        expiry, and warn once when auto-renew is off or could not renew. Then the other
        sessions: their countdowns (strip, rows, Sessions screen) and their renewals."""
        if self.follow_credentials_file():
            return  # session_changed() has ticked already
        now = self.services.clock.now()
        self.tick_active(now)
        self.tick_others(now)
        self.next_renewal()

    def tick_active(self, now: datetime) -> None:
        if self.cache_watch is not None and self.cache_watch.changed():
            self.sso_key.cache_folder_changed()  # a discovery made in another terminal
            had_session = self.mfa_expiry is not None
            self.mfa_changed()  # e.g. `roleswitch logout` in another terminal
            self.refresh_bindings()
            if had_session and self.mfa_expiry is None and self.busy is None:
                self.notify(
                    "Another program ended the MFA session (roleswitch logout?); the next "
                    "renewal of this role asks for a code.",
                    severity="warning",
                )
        session = self.session
        bar = self.bar
        notes = []
        if self.renew_problem is not None:
            notes.append(Note(self.renew_problem, "renew failed"))
        if self.mfa_expiry is not None:
            mfa_left = seconds_left(self.mfa_expiry, now)
            suffix = " left" if mfa_left > 0 else ""
            notes.append(
                Note(f"MFA session {format_left(mfa_left)}{suffix}", f"MFA {format_left_coarse(mfa_left)}")
            )
        held = self.held_back(self.session)
        if held == "waits for yes":
            notes.append(Note("auto-renew waits for your yes: ctrl+r", "waits for yes"))
        elif held:
            notes.append(Note("auto-renew declined for this session", "auto-renew declined"))
        elif self.auto_renew:
            notes.append(Note("auto-renew on", "auto-renew"))
        notes += self.serve_key.notes()
        notes += self.organization_refresh.notes()
        self.sso_key.tick()
        active_target = self.catalogue.find(session.target_name or "") if session is not None else None
        attention = self.sso_key.attention
        notes += self.sso_key.notes(active_target, now)
        if self.sso_key.attention != attention:
            self.refresh_bindings()  # the key bar highlights the sign-in key, or stops
        if session is None or session.expiration is None:
            bar.show("", "", None, notes)
            return
        left = seconds_left(session.expiration, now)
        band = urgency(left, self.settings.renew_margin_seconds)
        text = format_left(left) + (" left" if left > 0 else "")
        if band is Urgency.EXPIRED:
            text = text.replace("expired", "EXPIRED", 1)
        name = session.target_name or session.role_arn or "?"
        environment = self.environment_of(session)
        if environment is not None and not (environment.colour or environment.confirm):
            environment = None  # the bar names only an environment that stands out (a colour, a question)
        bar.show(
            name,
            text,
            band,
            notes,
            profile=session.profile,
            region=session.region or "",
            environment=environment.name if environment is not None else "",
            colour=environment.colour if environment is not None else None,
        )
        if self.busy != name:
            row_text = format_left_coarse(left) + (" left" if left > 0 else "")
            if band is Urgency.EXPIRED:
                row_text = text
            self.targets.set_row_status(name, RowStatus(row_text, band.value))
        if band is Urgency.CALM:
            return
        if self.auto_renew and self.busy is None and self._auto_tried_for != session.expiration:
            self._auto_tried_for = session.expiration
            if self.auto_renew_now(session):
                return  # no warning for what is being fixed; a failure warns (on_assume_failed)
        if self.busy is None and self._warned_for != session.expiration:
            self._warned_for = session.expiration
            if band is Urgency.EXPIRED:
                self.notify(f"{name} has expired; press ctrl+r to renew.", severity="error")
            else:
                self.notify(
                    f"{name} expires in {format_span(left)}; press ctrl+r to renew.", severity="warning"
                )
            self.bell()

    def environment_of(self, session: ActiveSession | None) -> Environment | None:
        """The environment of the session's target (None: none, or no longer configured)."""
        if session is None:
            return None
        target = self.catalogue.find(session.target_name or "")
        return self.catalogue.environment_of(target) if target is not None else None

    # --- the other sessions ----------------------------------------------------------

    def tick_others(self, now: datetime) -> None:
        """The other sessions' countdowns (strip, rows, Sessions screen); each one inside
        its renew margin joins the renewal queue once per expiry when auto-renew is on."""
        entries = []
        active_name = self.session.target_name if self.session else None
        for profile, session in self.others.items():
            name, left, band, environment = self.glance(session, now)
            left_text = "?" if left is None else format_left_coarse(left)
            if band is not None:
                if name not in (active_name, self.busy):
                    self.targets.set_row_status(name, RowStatus(f"{left_text} [{profile}]", band.value))
                if (
                    band is not Urgency.CALM
                    and self.auto_renew
                    and self._auto_tried.get(profile) != session.expiration
                    and profile not in self.renew_queue
                ):
                    self._auto_tried[profile] = session.expiration
                    self.renew_queue.append(profile)
            entries.append(
                StripEntry(
                    profile,
                    name,
                    left_text,
                    band,
                    environment.name if environment is not None else "",
                    environment.colour if environment is not None else None,
                    profile in self.session_problems,
                    self.held_back(session),
                )
            )
        self.strip.show(entries)
        shown = bool(entries)
        if self.strip.display != shown:
            self.strip.display = shown
            self.filter_row.set_class(shown, "-under-strip")
        if self.sessions_screen is not None:  # held, not looked up: no import before the first frame
            self.sessions_screen.update(self.session_rows(now))

    def glance(
        self, session: ActiveSession, now: datetime
    ) -> tuple[str, int | None, Urgency | None, Environment | None]:
        """A session's name, seconds left and urgency band (None: no expiry known) and environment."""
        name = session.target_name or session.role_arn or "?"
        if session.expiration is None:
            return name, None, None, self.environment_of(session)
        left = seconds_left(session.expiration, now)
        return name, left, urgency(left, self.settings.renew_margin_seconds), self.environment_of(session)

    def session_rows(self, now: datetime | None = None) -> list:
        """The Sessions screen's rows: the active profile's session first, then the others."""
        from roleswitch.ui.screens.sessions import SessionRow

        now = now or self.services.clock.now()
        rows = []
        sessions = ([self.session] if self.session is not None else []) + list(self.others.values())
        for session in sessions:
            active = session.profile == self.profile
            name, left, band, environment = self.glance(session, now)
            left_text = "?" if left is None else format_left(left)
            rows.append(
                SessionRow(
                    session.profile,
                    name,
                    environment.name if environment is not None else "",
                    environment.colour if environment is not None else None,
                    left_text,
                    band,
                    session.region or "",
                    self.auto_renew_text(session, active),
                    active,
                )
            )
        return rows

    def auto_renew_text(self, session: ActiveSession, active: bool) -> str:
        """The Sessions screen's Auto column (short: it fits at 80 columns)."""
        if not self.auto_renew:
            return "off"
        held = self.held_back(session)
        if held:
            return "needs yes" if held == "waits for yes" else held  # "waits for yes" cuts at 80 columns
        problem = self.renew_problem if active else self.session_problems.get(session.profile)
        return "failed" if problem is not None else "on"

    def held_back(self, session: ActiveSession | None) -> str:
        """Why auto-renew leaves `session` alone although it is on: "waits for yes" (a
        confirm-gated session nobody said yes for: ctrl+r or r asks), "declined" (a no at
        ctrl+a's question); "" when it renews it."""
        if session is None or not self.auto_renew:
            return ""
        target = self.catalogue.find(session.target_name or "")
        if target is None or not self.catalogue.needs_confirmation(target):
            return ""
        if self.confirmed.get(session.profile) == target.name:
            return ""
        return "declined" if self.declined.get(session.profile) == target.name else "waits for yes"

    def next_renewal(self) -> None:
        """Start the next queued auto-renewal when nothing else is being assumed."""
        while self.renew_queue and self.busy is None and not self.asking:
            profile = self.renew_queue.pop(0)
            session = self.others.get(profile)
            if session is None or session.expiration is None or not self.auto_renew:
                continue
            now = self.services.clock.now()
            left = seconds_left(session.expiration, now)
            if urgency(left, self.settings.renew_margin_seconds) is Urgency.CALM:
                continue  # renewed meanwhile (by another terminal)
            self.auto_renew_session(session)

    def auto_renew_session(self, session: ActiveSession) -> bool:
        """Start renewing `session` (any profile) on its own; False (and why, kept as its
        note) when it cannot start. A confirm-gated one nobody said yes for is left alone,
        with one notification (see held_back); it never asks unprompted."""
        profile = session.profile
        active = profile == self.profile
        target = self.catalogue.find(session.target_name or "")
        if target is None:
            problem = f"Auto-renew cannot renew {session.target_name}: it is no longer configured."
        elif target.needs_mfa and not self.mfa_session_usable(target):
            problem = self.mfa_ended_problem(target)
        elif (signed_out := self.sso_key.renewal_problem(target)) is not None:
            problem = signed_out  # paused until a sign-in, rather than failing at every expiry
        elif held := self.held_back(session):
            # Never a question nobody asked for (the next y or n typed would answer it): a
            # confirm-gated session is renewed only after a yes (ctrl+a's, or ctrl+r / r).
            if held == "declined":
                said = "you said no to auto-renewing it, so renew it yourself: ctrl+r (r in Sessions)"
            else:
                keys = "ctrl+r (r in Sessions)" if active else "r in Sessions (ctrl+t)"
                said = f"auto-renew waits for your yes: {keys}"
            self.notify(
                f"{target.name} in [{profile}] nears its end; {said}.", severity="warning", timeout=12
            )
            if active:  # this is the expiry's warning: no second one at the next tick
                self._warned_for = session.expiration
                self.bell()
            return True
        else:
            self.start_assume(target, renewal=True, automatic=True, profile=profile, renewing=session)
            return True
        if active:
            self.auto_renew_blocked(problem)
        else:
            self.notify(problem, severity="warning")
            self.session_problems[profile] = self.failed_note("auto-renew could not start")
        return False

    def confirm_screen(self, question: str, target: Target | None):
        """The y/N dialog, in the colour of the target's environment when it has one."""
        from roleswitch.ui.screens.confirm import ConfirmScreen

        environment = self.catalogue.environment_of(target) if target is not None else None
        if environment is None:
            return ConfirmScreen(question)
        return ConfirmScreen(question, colour=environment.colour, label=environment.name)

    def read_others_at_start(self) -> None:
        self.others_read = True
        found = self.read_others()
        if found:
            self.others = found
            self.tick_others(self.services.clock.now())
            self.refresh_bindings()

    def read_others(self) -> dict[str, ActiveSession] | None:
        """The sessions outside the active profile, read now; None when they cannot be read."""
        try:
            found = self.services.credentials.sessions()
        except RoleswitchError:
            return None
        return {s.profile: s for s in found if s.profile != self.profile}

    def forget_session_state(self, profile: str) -> None:
        """A session ended or was replaced by someone else: its confirmation, note and
        auto-renew mark no longer apply."""
        self.confirmed.pop(profile, None)
        self.declined.pop(profile, None)
        self.session_problems.pop(profile, None)
        self._auto_tried.pop(profile, None)
        if profile in self.renew_queue:
            self.renew_queue.remove(profile)

    def follow_others(self) -> None:
        """Another program's changes to the other sessions: shown and said, never overwritten."""
        found = self.read_others()
        if found is None:
            return
        old = self.others
        for profile, session in found.items():
            before = old.get(profile)
            name = session.target_name or session.role_arn or "?"
            if before is None:
                said = f"Another program assumed {name} into [{profile}]."
            elif same_session(before, session):
                continue
            elif before.target_name == session.target_name:  # renewed elsewhere: a yes given still counts
                self.session_problems.pop(profile, None)
                self._auto_tried.pop(profile, None)
                self.notify(f"Another program renewed {name} in [{profile}].")
                continue
            else:
                said = f"Another program changed [{profile}]: {name} is in it now."
            self.forget_session_state(profile)
            if before is not None and before.target_name:
                self.targets.set_row_status(before.target_name, None)
            self.notify(said, severity="warning" if before is not None else "information")
        for profile in old.keys() - found.keys():
            before = old[profile]
            self.forget_session_state(profile)
            if before.target_name:
                self.targets.set_row_status(before.target_name, None)
            self.notify(f"Another program removed [{profile}].", severity="warning")
        self.others = found
        if found.keys() != old.keys():
            self.refresh_bindings()  # the sessions key is greyed out with no session

    def auto_renew_now(self, session: ActiveSession) -> bool:
        """Start renewing the active `session`; False (and why, kept in the bar) when it cannot start."""
        return self.auto_renew_session(session)

    @staticmethod
    def mfa_ended_problem(target: Target) -> str:
        return (
            f"Auto-renew cannot renew {target.name}: its MFA session has ended; press ctrl+r "
            "and enter a code."
        )

    def auto_renew_blocked(self, problem: str) -> None:
        self.notify(problem, severity="warning")
        self.renew_problem = self.failed_note("auto-renew could not start")

    def failed_note(self, what: str) -> str:
        at = self.services.clock.now().astimezone().strftime("%H:%M")
        return f"{what} at {at}; ctrl+r renews"

    # --- following other programs --------------------------------------------------

    def follow_credentials_file(self) -> bool:
        """Re-read the active profile when the file changed (one stat otherwise); True if
        another program replaced or removed the session, which is then what is shown.

        Skipped while our own write may be under way (the change is seen when it reports)."""
        watch = self.credentials_watch
        if watch is None or self.busy is not None or self.clearing or self.writing:
            return False
        if not watch.changed():
            return False
        try:
            current = self.services.credentials.read_active(self.profile)
        except RoleswitchError:
            return False  # unreadable for now: the next change is looked at again
        self.follow_others()
        previous = self.session
        if same_session(current, previous):
            if current != previous:
                self.session = current  # the same session, its region changed
            return False
        if current is None or previous is None or current.target_name != previous.target_name:
            self.forget_session_state(self.profile)  # renewed elsewhere: a yes given still counts
        self._auto_tried_for = None
        self.replace_session(current)
        profile = f"[{self.profile}]"
        if current is None:
            self.notify(f"Another program removed {profile}; no session is active.", severity="warning")
        else:
            self.notify(
                f"Another program changed {profile}: {current.target_name or current.role_arn} is "
                "active now.",
                severity="warning",
            )
        return True

    def replace_session(self, session: ActiveSession | None) -> None:
        """Show `session` as the active one (from the file, not from our own assume)."""
        if self.session and self.session.target_name:
            self.targets.set_row_status(self.session.target_name, None)
        self.session = session
        self.renew_problem = None
        self.session_changed()

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
        """Everything that depends on which session is active; ticks once."""
        self.mfa_changed()
        target_list = self.targets
        target_list.set_active(self.session.target_name if self.session else None)
        self.tick()
        self.show_detail(target_list.highlighted)
        self.refresh_bindings()

    # --- background jobs ------------------------------------------------------------

    def in_background(self, job: Callable[[], Any], done: Callable[[Any, str | None], None]) -> None:
        """Run `job` on a daemon thread; `done(outcome, error)` then runs on the UI thread.

        Everything that can wait (STS, a file lock held for up to 10 s, a clipboard
        command) goes through here, so the screen never freezes. Daemon threads, not
        Textual's thread workers: the app's exit waits for those, and the interpreter's
        too, so quitting during a slow STS call hung for up to 18 s. Files are only ever
        replaced atomically, so an abandoned write leaves them whole."""
        self.jobs_running += 1

        def run() -> None:
            outcome, error = None, None
            try:
                outcome = job()
            except RoleswitchError as problem:
                error = str(problem)
            except Exception as problem:  # never a traceback for the person
                error = f"Unexpected error: {type(problem).__name__}."
            with contextlib.suppress(RuntimeError):  # the app has closed its loop: nobody to tell
                self.post_message(JobDone(done, outcome, error))

        threading.Thread(target=run, name="roleswitch-job", daemon=True).start()

    def on_job_done(self, message: JobDone) -> None:
        self.jobs_running -= 1
        message.done(message.outcome, message.error)

    # --- assuming -------------------------------------------------------------------

    def start_assume(
        self,
        target: Target,
        *,
        renewal: bool = False,
        automatic: bool = False,
        profile: str | None = None,
        renewing: ActiveSession | None = None,
        confirmed: bool = False,
    ) -> None:
        """Check the file can take the result (before any MFA code is asked for), then ask
        for the code if needed, then assume; each step off the UI thread.

        Into `profile`; by default the target's own `profile`, else the active profile. A
        renewal renews `renewing` (default: the active session). A confirm-gated target asks
        first unless `confirmed` (auto-renew asks once per session, see auto_renew_session)."""
        if self.busy is not None:
            self.notify(f"Still assuming {self.busy}; wait for it to finish.", severity="warning")
            return
        if not target.valid:
            self.notify(f"{target.name} cannot be assumed: {target.problem}", severity="error")
            return
        if renewal and renewing is None:
            renewing = self.session
        remembered = profile is None and not renewal and bool(target.profile)  # the TOML's `profile`
        if profile is None:
            profile = (
                renewing.profile if renewal and renewing is not None else (target.profile or self.profile)
            )
        if not (automatic or confirmed) and self.catalogue.needs_confirmation(target):
            self.ask_confirmation(target, renewal=renewal, profile=profile, renewing=renewing)
            return
        # A renewal renews the session shown now, and nothing that replaces it meanwhile.
        if not renewal:
            renewing = None
        self.busy = target.name
        self.targets.set_row_status(target.name, RowStatus("checking…", "busy"))
        self.refresh_bindings()

        def check() -> AssumeChecked:
            try:
                self.services.credentials.check_writable(profile, source_profile=target.source_profile)
            except RoleswitchError as error:
                said = str(error)
                if remembered and said.endswith(CHOOSE_ANOTHER):  # not the active profile: the target's
                    said = said.removesuffix(CHOOSE_ANOTHER) + (  # as the command line says it
                        f'{target.name} goes there because of its profile = "{target.profile}" in '
                        "roleswitch's config; change that, or press ctrl+y to assume into another profile."
                    )
                return AssumeChecked(target, renewal, automatic, renewing, said, False, profile)
            needs_code = target.needs_mfa and not self.mfa_session_usable(target)
            return AssumeChecked(target, renewal, automatic, renewing, None, needs_code, profile)

        self.in_background(check, self._posted("Could not check the credentials file"))

    def ask_confirmation(
        self, target: Target, *, renewal: bool, profile: str, renewing: ActiveSession | None
    ) -> None:
        """Assuming or renewing a confirm-gated target asks first (No is the default). A yes
        counts for this session's auto-renewals."""
        environment = self.catalogue.environment_of(target)
        where = f" ({environment.name})" if environment is not None else ""
        verb = "Renew" if renewal else "Assume"

        def answered(yes: bool | None) -> None:
            if not yes:
                done = "renewed" if renewal else "assumed"
                self.notify(f"Cancelled: {target.name} was not {done}; nothing was written.")
                return
            self.confirmed[profile] = target.name
            self.declined.pop(profile, None)
            self.start_assume(target, renewal=renewal, profile=profile, renewing=renewing, confirmed=True)

        self.push_screen(
            self.confirm_screen(f"{verb} {target.name}{where} into [{profile}]?", target), answered
        )

    def _posted(self, failure_title: str) -> Callable[[Any, str | None], None]:
        """`done` for jobs that answer with a message: post it, or report the error."""

        def done(message: Any, error: str | None) -> None:
            if error is None:
                self.post_message(message)
            else:
                self.busy = None
                self.notify(error, title=failure_title, severity="error", timeout=12)
                self.session_changed()

        return done

    def on_assume_checked(self, message: AssumeChecked) -> None:
        target = message.target
        profile = message.profile or self.profile
        if message.problem is not None:
            self.assume_ended(target)
            self.notify(message.problem, title="Nothing was written", severity="error", timeout=10)
            if message.automatic:
                self.note_renewal_failed(profile, "auto-renew failed")
            self.tick()
            return
        if message.needs_code and message.automatic:  # the MFA session ended meanwhile
            self.assume_ended(target)
            if profile == self.profile:
                self.auto_renew_blocked(self.mfa_ended_problem(target))
            else:
                self.notify(self.mfa_ended_problem(target), severity="warning")
                self.note_renewal_failed(profile, "auto-renew could not start")
            self.tick()
            return
        if message.needs_code:
            self.assume_ended(target)
            self.ask_mfa_code(
                target, message.renewal, False, self.mfa_reason(), renewing=message.renewing, profile=profile
            )
            return
        self.run_assume(target, None, message.renewal, message.automatic, message.renewing, profile)

    def note_renewal_failed(self, profile: str, what: str) -> None:
        """The failure note of `profile`'s session: the bar's for the active one."""
        if profile == self.profile:
            self.renew_problem = self.failed_note(what)
        else:
            self.session_problems[profile] = self.failed_note(what)

    def assume_ended(self, target: Target) -> None:
        self.busy = None
        self.targets.set_row_status(target.name, None)
        self.refresh_bindings()
        self.call_later(self.next_renewal)

    def mfa_reason(self) -> str:
        seconds = self.settings.mfa_session_seconds
        span = f"{seconds // 3600}-hour" if seconds % 3600 == 0 else format_span(seconds)
        return f"One code starts a {span} MFA session: renewals need no code until it ends."

    def ask_mfa_code(
        self,
        target: Target,
        renewal: bool,
        automatic: bool,
        reason: str,
        *,
        alarm: bool = False,
        renewing: ActiveSession | None = None,
        profile: str | None = None,
    ) -> None:
        def answered(code: str | None) -> None:
            if code is None:
                self.notify("Cancelled: nothing was written.")
            elif self.busy is not None:
                self.notify(f"Still assuming {self.busy}; wait for it to finish.", severity="warning")
            else:
                self.run_assume(target, code, renewal, automatic, renewing, profile)

        from roleswitch.ui.screens.mfa import MfaScreen

        self.push_screen(MfaScreen(target, reason, alarm=alarm), answered)

    def run_assume(
        self,
        target: Target,
        code: str | None,
        renewal: bool,
        automatic: bool,
        renewing: ActiveSession | None = None,
        profile: str | None = None,
    ) -> None:
        self.busy = target.name
        self.targets.set_row_status(target.name, RowStatus("renewing…" if renewal else "assuming…", "busy"))
        self.refresh_bindings()
        profile = profile or self.profile
        settings = self.settings
        sts, credentials = self.services.sts, self.services.credentials

        def assume() -> AssumeSucceeded | AssumeFailed | RenewalSuperseded:
            """Blocking STS call and file write; answers with a message only."""
            try:
                result = sts.assume(target, settings=settings, mfa_code=code)
                if renewal and renewing is not None and renewing.region and renewing.region != result.region:
                    result = dataclasses.replace(result, region=renewing.region)  # a region picked stays
                if renewal:
                    # Another terminal may have assumed something else (or cleared the
                    # profile) meanwhile: then this renewal is not wanted. The file checks
                    # that under its lock, so nothing can land between the check and the write.
                    expected = (renewing.access_key_id or "") if renewing is not None else NO_SESSION
                    credentials.write(profile, result, expect_access_key_id=expected)
                else:
                    credentials.write(profile, result)
            except SessionReplaced:
                try:
                    current = credentials.read_active(profile)
                except RoleswitchError:
                    current = None  # unreadable now: the tick shows it once it can be read
                return RenewalSuperseded(target, profile, current, automatic)
            except RoleswitchError as error:
                return AssumeFailed(target, str(error), getattr(error, "code", "error"), automatic, profile)
            except Exception as error:  # never a traceback for the person
                said = f"Unexpected error: {type(error).__name__}."
                return AssumeFailed(target, said, "error", automatic, profile)
            return AssumeSucceeded(result, profile, renewal, automatic)

        self.in_background(assume, self._posted(f"Could not assume {target.name}"))

    def on_assume_succeeded(self, message: AssumeSucceeded) -> None:
        result = message.result
        profile = message.profile
        active = profile == self.profile
        self.busy = None
        target_list = self.targets
        replaced = self.session if active else self.others.get(profile)
        if replaced is not None and replaced.target_name:
            target_list.set_row_status(replaced.target_name, None)
        target_list.set_row_status(result.target.name, None)
        session = ActiveSession(
            profile=profile,
            target_name=result.target.name,
            role_arn=result.target.role_arn,
            assumed_arn=result.assumed_arn,
            access_key_id=result.credentials.access_key_id,
            expiration=result.credentials.expiration,
            region=result.region,
        )
        if replaced is None or replaced.target_name != result.target.name:
            self.declined.pop(profile, None)
            if self.confirmed.get(profile) != result.target.name:
                self.confirmed.pop(profile, None)
        if active:
            self.renew_problem = None
            self.session = session
        else:
            self.session_problems.pop(profile, None)
            self.others[profile] = session
        if sso_session_of(result.target) is not None:
            self.sso_key.read_statuses()  # GetRoleCredentials may have refreshed the sign-in
        verb = "Renewed" if message.renewal else "Assumed"
        self.notify(
            f"{verb} {result.target.name} into [{profile}] until "
            f"{format_local(result.credentials.expiration)}.",
            title=verb,
        )
        if not message.automatic:
            self.record_use(result.target.name)
        self.session_changed()
        if isinstance(self.focused, Input):
            target_list.focus()
        self.next_renewal()

    def on_assume_failed(self, message: AssumeFailed) -> None:
        self.assume_ended(message.target)
        if message.code == "mfa-session-ended":
            self.mfa_changed()
            if not message.automatic:  # asked again, once, saying why
                self.ask_mfa_code(
                    message.target, False, False, message.message, alarm=True, profile=message.profile
                )
                self.tick()
                self.refresh_bindings()
                return
        title = "Auto-renew failed" if message.automatic else f"Could not assume {message.target.name}"
        said = message.message
        if message.code == "login-needed":  # offer the sign-in instead of a bare failure
            said = self.sso_key.login_needed(message.target) or said
        if message.automatic and message.profile not in (None, self.profile):
            title = f"Auto-renew of [{message.profile}] failed"
        self.notify(said, title=title, severity="error", timeout=12)
        if message.automatic:
            self.note_renewal_failed(message.profile or self.profile, "auto-renew failed")
        self.tick()  # warns (and rings) now, since the renewal did not happen
        self.refresh_bindings()

    def on_renewal_superseded(self, message: RenewalSuperseded) -> None:
        """Someone else replaced the session while we renewed it: show theirs, write nothing."""
        self.assume_ended(message.target)
        current = message.current
        now = f"{current.target_name or current.role_arn} is active now" if current else "it is empty now"
        self.notify(
            f"Did not renew {message.target.name}: another program changed [{message.profile}] "
            f"meanwhile ({now}); nothing was written.",
            severity="warning",
            timeout=12,
        )
        self.forget_session_state(message.profile)
        if message.profile == self.profile:
            self.replace_session(current)
            return
        previous = self.others.get(message.profile)
        if previous is not None and previous.target_name:
            self.targets.set_row_status(previous.target_name, None)
        if current is None:
            self.others.pop(message.profile, None)
        else:
            self.others[message.profile] = current
        self.tick()

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
        self.detail.show(target, self.settings, self.session, self.sso_key.sign_in_text(target))

    def update_count(self) -> None:
        target_list = self.targets
        if target_list.filter_text:
            text = f"{target_list.match_count} of {target_list.total}"
        else:
            text = f"{target_list.total} role{'s' if target_list.total != 1 else ''}"
        if text != self._count_text:
            self._count_text = text
            self.count_label.update(text, layout=False)  # fixed width: no relayout per keystroke

    async def on_event(self, event: events.Event) -> None:
        """A printable key typed in the list starts a new filter with it (only `?` and `/`
        act there, and no letter: commands are ctrl keys). Once a search has started and
        its keys are still on their way to the box, `?` and `/` are part of it too:
        `prod/Admin` typed in one go must not lose its `/`.

        Decided here, in the order the keys arrive, and not when a key has reached the list
        and bubbled back: a busy list (a resize repainting it) let the focus reach the box
        first, and the keys still queued at the list were dropped, so `prod readonly` and
        Enter filtered `prod` and assumed production/Admin (seen in tmux)."""
        if isinstance(event, events.Key) and not event.is_forwarded and self.typed_in_list(event):
            self.filter_input.start_typing(event.character or "")
            return
        await super().on_event(event)

    def typed_in_list(self, event: events.Key) -> bool:
        """A printable key for the list, or for the main screen while nothing has the focus
        (a dialog just closed, its focus not yet given back): typing always filters."""
        focused = self.focused
        in_list = isinstance(focused, TargetList) or (focused is None and len(self.screen_stack) == 1)
        return bool(
            in_list
            and event.is_printable
            and event.character
            and not event.key.startswith(("alt+", "ctrl+", "meta+", "super+"))
            and (event.key not in self.active_bindings or self.filter_input.typing_pending)
        )

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that cannot act right now (None = shown but disabled)."""
        if action == "serve":
            return self.serve_key.can_act()
        if action == "sso_sign_in":
            return self.sso_key.can_act()
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
            return True if self.session is not None and self.busy is None and not self.clearing else None
        if action == "logout":
            return self.has_mfa_sessions  # hidden while there is nothing to forget
        if action == "sessions":  # greyed out while there is no session to list
            return True if self.session is not None or self.others else None
        if action in ("pin", "assume_into"):
            targets = getattr(self, "targets", None)
            target = targets.highlighted if targets is not None else None
            if action == "pin" and self.services.usage is None:
                return False
            return True if target is not None and target.valid else None
        if action == "region":
            can = self.session is not None and hasattr(self.services.credentials, "set_region")
            return True if can and not self.writing else None
        if action == "sdk_profile":
            targets = getattr(self, "targets", None)
            target = targets.highlighted if targets is not None else None
            return True if target is not None and target.valid else None
        if action == "console":
            targets = getattr(self, "targets", None)
            target = targets.highlighted if targets is not None else None
            can = (target is not None and target.valid) or self.session is not None
            return True if can and self.services.console is not None else None
        return True

    def action_assume(self) -> None:
        """Assume the best match of what is in the filter box. Enter read together with
        the keys before it can arrive before their Input.Changed: filter first, so it
        never assumes what was highlighted before the last keys."""
        target_list = self.targets
        query = self.filter_input.value
        if target_list.filter_text != query:
            target_list.set_filter(query)
            self.update_count()
        target = target_list.highlighted
        if target is not None:
            target_list.choice_used()
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
        """Auto-renew on or off, saved in roleswitch's config. Turning it on asks once (y/N)
        whether it may renew the confirm-gated sessions present nobody said yes for."""
        if self.saving_auto_renew or self.asking:
            return  # the previous press is still being saved, or asked about
        value = not self.auto_renew
        unconfirmed = self.unconfirmed_gated() if value else []
        if not unconfirmed:
            self.save_auto_renew(value)
            return
        self.asking = True

        def answered(yes: bool | None) -> None:
            self.asking = False
            for profile, name in unconfirmed:
                if yes:
                    self.confirmed[profile] = name
                    self.declined.pop(profile, None)
                else:
                    self.declined[profile] = name
            self.save_auto_renew(True)

        listed = ", ".join(f"{name} in [{profile}]" for profile, name in unconfirmed[:3])
        if len(unconfirmed) > 3:
            listed += f" and {len(unconfirmed) - 3} more"
        self.push_screen(
            self.confirm_screen(
                f"Auto-renew the confirm-gated sessions too ({listed})? No turns auto-renew on for "
                "the others only.",
                self.catalogue.find(unconfirmed[0][1]),  # in its environment's colour
            ),
            answered,
        )

    def unconfirmed_gated(self) -> list[tuple[str, str]]:
        """(profile, target) of each confirm-gated session shown that no yes counts for."""
        sessions = ([self.session] if self.session is not None else []) + list(self.others.values())
        found = []
        for session in sessions:
            target = self.catalogue.find(session.target_name or "")
            if (
                target is not None
                and self.catalogue.needs_confirmation(target)
                and self.confirmed.get(session.profile) != target.name
            ):
                found.append((session.profile, target.name))
        return found

    def save_auto_renew(self, value: bool) -> None:
        self.saving_auto_renew = True

        def saved(_: object, error: str | None) -> None:
            self.saving_auto_renew = False
            if error is not None:
                self.notify(error, title="Auto-renew not saved", severity="error", timeout=10)
                return
            self.auto_renew_saved(value)

        self.in_background(lambda: self.services.save_setting("auto_renew", value), saved)

    def auto_renew_saved(self, value: bool) -> None:
        self.auto_renew = value
        self._auto_tried_for = None
        if not value:  # its notes go with it
            self.renew_problem = None
            self.session_problems.clear()
            self._auto_tried.clear()
        if value and self.session:
            target = self.catalogue.find(self.session.target_name or "")
            if target is not None and target.needs_mfa and not self.mfa_session_usable(target):
                self.notify(
                    f"Auto-renew is on, but {target.name} has no open MFA session: renew it with ctrl+r "
                    "once and enter a code.",
                    severity="warning",
                )
            else:
                self.notify("Auto-renew is on: the session renews inside the renew margin.")
        else:
            self.notify(f"Auto-renew is {'on' if value else 'off'}.")
        self.tick()

    def action_copy_exports(self) -> None:
        """Export lines to the clipboard: through the system's clipboard command if there is
        one (in the background), else OSC 52 through the terminal, saying what that means."""
        session = self.session
        if session is None:
            return
        profile = self.profile

        def copy() -> tuple[str | None, str | None, str] | None:
            from roleswitch.core.clipboard import ClipboardError, clipboard_command, copy_with
            from roleswitch.core.errors import ValidationError
            from roleswitch.core.exports import export_lines

            credentials = self.services.credentials.read_credentials(profile)
            if credentials is None:
                return None
            try:
                text = "\n".join(export_lines(credentials, session.region)) + "\n"
            except ValidationError:  # its sentence is the CLI's ("nothing was printed")
                raise RoleswitchError(
                    f"[{profile}] holds a value with a line break or control character, which no "
                    "export line can carry safely, so nothing was copied; renew it with ctrl+r."
                ) from None
            command = clipboard_command()
            if command is None:
                return None, None, text
            try:
                copy_with(command, text)
            except ClipboardError as error:
                return None, str(error), text
            return command[0].rsplit("/", 1)[-1], None, ""

        def copied(outcome: tuple[str | None, str | None, str] | None, error: str | None) -> None:
            if error is not None:
                self.notify(error, severity="error")
            elif outcome is None:
                self.notify("No active session to copy.", severity="warning")
            else:
                tool, tool_error, text = outcome
                if tool is not None:
                    self.notify(f"Copied export lines for {session.target_name} with {tool}.")
                else:
                    self.copy_to_clipboard(text)
                    because = f"{tool_error} " if tool_error else ""
                    self.notify(
                        f"{because}Sent export lines for {session.target_name} to the terminal's "
                        "clipboard (OSC 52); if nothing was copied, your terminal or tmux blocks it "
                        "(tmux: set -g set-clipboard on).",
                        timeout=12,
                    )

        self.in_background(copy, copied)

    def action_clear_session(self) -> None:
        if self.session is not None:
            self.clear_profile(self.session.profile)

    def session_in(self, profile: str) -> ActiveSession | None:
        """The session shown for `profile` (the active one or another)."""
        return self.session if profile == self.profile else self.others.get(profile)

    def clear_profile(self, profile: str) -> None:
        """Remove `profile`'s session from the credentials file, after a yes (No is the default)."""
        session = self.session_in(profile)
        if session is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes or self.clearing:
                return
            self.clearing = True
            self.refresh_bindings()
            # Only the session named in the question: another program may have written [profile]
            # since (checked under the file's lock; then nothing is removed and the app says so).
            expected = session.access_key_id or ""
            self.in_background(
                lambda: self.services.credentials.clear(session.profile, expect_access_key_id=expected),
                cleared,
            )

        def cleared(removed: bool | None, error: str | None) -> None:
            self.clearing = False
            if error is not None:
                self.notify(error, title="Nothing was removed", severity="error", timeout=10)
                self.refresh_bindings()
                self.tick()  # shows what the profile holds now
                return
            self.forget_session_state(profile)
            if profile == self.profile:
                self.replace_session(None)
            else:
                gone = self.others.pop(profile, None)
                if gone is not None and gone.target_name:
                    self.targets.set_row_status(gone.target_name, None)
                self.tick()
            self.notify(f"Removed [{session.profile}]." if removed else "Nothing to remove.")

        from roleswitch.ui.screens.confirm import ConfirmScreen

        self.push_screen(
            ConfirmScreen(f"Remove [{session.profile}] ({session.target_name}) from the credentials file?"),
            answered,
        )

    # --- several sessions -------------------------------------------------------------

    def action_sessions(self) -> None:
        from roleswitch.ui.screens.sessions import SessionsScreen

        if self.sessions_screen is not None:
            return

        def closed(_: object) -> None:
            self.sessions_screen = None

        self.sessions_screen = SessionsScreen()
        self.push_screen(self.sessions_screen, closed)

    def renew_profile(self, profile: str) -> None:
        """Renew `profile`'s session now (the Sessions screen's `r`); asks when confirm-gated."""
        session = self.session_in(profile)
        if session is None:
            return
        target = self.catalogue.find(session.target_name or "")
        if target is None:
            self.notify(
                f"{session.target_name} is no longer configured; pick a role to assume.", severity="warning"
            )
            return
        self.start_assume(target, renewal=True, profile=profile, renewing=session)

    def make_default(self, profile: str) -> None:
        """Copy `profile`'s session into the active profile, so tools without AWS_PROFILE use it."""
        session = self.others.get(profile)
        active = self.session
        if profile == self.profile or (
            session is not None and active is not None and session.access_key_id == active.access_key_id
        ):
            self.notify(f"[{self.profile}] already holds this session: it is the default.")
            return
        if session is None or self.writing:
            return
        to = self.profile
        credentials = self.services.credentials
        self.writing += 1

        def job() -> ActiveSession | None:
            credentials.copy_session(profile, to, expect_access_key_id=session.access_key_id or "")
            return credentials.read_active(to)

        def done(current: ActiveSession | None, error: str | None) -> None:
            self.writing -= 1
            if error is not None:
                self.notify(error, title="Nothing was written", severity="error", timeout=12)
                return
            self.forget_session_state(to)
            if self.confirmed.get(profile) == session.target_name and session.target_name:
                self.confirmed[to] = session.target_name  # the yes given for it goes with it
            self.replace_session(current)
            self.notify(f"[{to}] now holds {session.target_name} (copied from [{profile}]).")

        self.in_background(job, done)

    def console_for(self, profile: str) -> None:
        """The console as `profile`'s session, signed in with its own credentials: no STS
        call, nothing written."""
        from roleswitch.ui.console_key import open_console

        if self.session_in(profile) is not None:
            open_console(self, None, profile=profile)  # that session's own credentials sign in

    def action_region(self) -> None:
        if self.session is not None:
            self.pick_region(self.session.profile)
        else:
            self.notify("No active session; assume a role first, then pick its region.")

    def pick_region(self, profile: str) -> None:
        """Pick `profile`'s session region from its partition's regions (botocore's data,
        read off the UI thread), then write it as `region` in its section."""
        session = self.session_in(profile)
        if session is None:
            return
        setter = self.services.credentials.set_region

        def regions() -> tuple[str, ...]:
            from roleswitch.core.regions import partition_of, partition_regions

            return tuple(partition_regions(partition_of(session.role_arn or "")))

        def listed(found: tuple[str, ...] | None, error: str | None) -> None:
            if error is not None or not found:
                self.notify(error or "No regions are known for this session.", severity="error")
                return
            from roleswitch.ui.screens.region_picker import RegionPicker

            self.push_screen(
                RegionPicker(found, session.region, f"Region for [{profile}] ({session.target_name})"),
                picked,
            )

        def picked(region: str | None) -> None:
            if region is None or region == session.region:
                return
            self.writing += 1

            def write() -> None:
                setter(profile, region, expect_access_key_id=session.access_key_id or "")

            def written(_: object, error: str | None) -> None:
                self.writing -= 1
                if error is not None:
                    self.notify(error, title="Region not changed", severity="error", timeout=12)
                    return
                current = self.session_in(profile)
                if current is not None and same_session(current, session):
                    changed = dataclasses.replace(current, region=region)
                    if profile == self.profile:
                        self.session = changed
                    else:
                        self.others[profile] = changed
                self.notify(f"[{profile}] now uses {region}; renewals keep it.")
                self.tick()
                self.show_detail(self.targets.highlighted)

            self.in_background(write, written)

        self.in_background(regions, listed)

    def assume_into_by_name(self, name: str) -> None:
        target = self.catalogue.find(name)
        if target is not None:
            self.targets.highlight(name)
            self.assume_into(target)

    def pin_by_name(self, name: str) -> None:
        target = self.catalogue.find(name)
        if target is not None:
            self.targets.highlight(name)
            self.pin(target)

    def action_assume_into(self) -> None:
        target = self.targets.highlighted
        if target is not None:
            self.assume_into(target)

    def assume_into(self, target: Target) -> None:
        """Assume `target` into a profile named in a dialog (checked live, off the UI thread,
        with the CLI's refusals); a TOML target can remember it."""
        if not target.valid:
            self.notify(f"{target.name} cannot be assumed: {target.problem}", severity="error")
            return
        from roleswitch.ui.screens.profile_prompt import ProfilePrompt

        credentials = self.services.credentials
        source = target.source_profile

        async def check(name: str) -> str | None:
            import asyncio

            def run() -> str | None:
                try:
                    credentials.check_writable(name, source_profile=source)
                except RoleswitchError as error:  # the command line's advice, said for this dialog
                    return str(error).replace(CHOOSE_ANOTHER, "type another name.")
                return None

            return await asyncio.to_thread(run)

        remember = self.services.remember_profile
        can_remember = remember is not None and target.origin == "roleswitch"

        def answered(answer: tuple[str, bool] | None) -> None:
            if answer is None:
                return
            profile, keep = answer
            self.start_assume(target, profile=profile)
            if keep and remember is not None:

                def remembered(catalogue: Catalogue | None, error: str | None) -> None:
                    if error is not None or catalogue is None:
                        said = error or "Not remembered."
                        self.notify(said, title="Profile not remembered", severity="error", timeout=12)
                        return
                    self.catalogue_reloaded(catalogue)  # Enter on it now goes to [profile]
                    self.notify(
                        f"{target.name} goes to [{profile}] from now on (saved in roleswitch's config)."
                    )

                def remember_and_reload() -> Catalogue:
                    remember(target, profile)
                    return self.services.load_catalogue()

                self.in_background(remember_and_reload, remembered)

        default = target.profile or self.profile
        self.push_screen(ProfilePrompt(target.name, default, check, can_remember), answered)

    def action_pin(self) -> None:
        target = self.targets.highlighted
        if target is not None:
            self.pin(target)

    def pin(self, target: Target) -> None:
        """Pin or unpin `target` (saved in the state folder, in the background): pinned first."""
        store = self.services.usage
        if store is None:
            self.notify("Pins are not available here.", severity="warning")
            return
        name = target.name

        now = self.services.clock.now()

        def toggle() -> tuple[bool, Any]:
            pinned = store.toggle_pin(name)
            return pinned, store.load(now=now)

        def done(outcome: tuple[bool, Any] | None, error: str | None) -> None:
            if error is not None:
                self.notify(error, title="Pin not saved", severity="error", timeout=10)
                return
            assert outcome is not None
            pinned, usage = outcome
            self.usage_loaded(usage)
            self.notify(f"Pinned {name}: it comes first." if pinned else f"Unpinned {name}.")

        self.in_background(toggle, done)

    def read_usage(self) -> None:
        """Pins and recent use, read after the first frame (one small file)."""
        store = self.services.usage
        if store is not None:
            now = self.services.clock.now()
            self.in_background(
                lambda: store.load(now=now), lambda usage, error: self.usage_loaded(usage, at_start=True)
            )

    def usage_loaded(self, usage: Any, *, at_start: bool = False) -> None:
        if usage is None:
            return
        self.usage = usage
        self.targets.set_usage(usage)
        self.update_count()
        problem = usage.problem
        if problem and at_start:
            self.notify(problem, title="Pins and recent roles", severity="warning", timeout=10)

    def record_use(self, name: str) -> None:
        """A successful assume counts for the list's Recent group (in the background)."""
        store = self.services.usage
        if store is None:
            return
        now = self.services.clock.now()

        def record() -> Any:
            store.record_use(name, now)
            return store.load(now=now)

        self.in_background(record, lambda usage, error: self.usage_loaded(usage))

    def action_logout(self) -> None:
        def logged_out(counts: tuple[int, int] | None, error: str | None) -> None:
            self.mfa_changed()
            self.tick()
            self.refresh_bindings()
            if error is not None or counts is None:
                self.notify(error or "Nothing was forgotten.", severity="error")
                return
            sessions, roles = counts
            self.notify(
                f"Forgot {sessions} MFA session{'s' if sessions != 1 else ''} and {roles} cached role "
                f"credential{'s' if roles != 1 else ''}; the next MFA role asks for a code.",
                title="Logged out",
            )

        self.in_background(self.services.logout, logged_out)

    def action_sdk_profile(self) -> None:
        target = self.targets.highlighted
        if target is not None:
            self.write_sdk_profile(target.name)

    def write_sdk_profile(self, target_name: str, *, confirmed: bool = False) -> None:
        """Write a credential_process profile for the target into the AWS config file. A
        confirm-gated target asks once, here, and its command gets `--yes`: SDKs cannot
        answer a question, and without it every call would be refused."""
        from roleswitch.core.sdk_profiles import default_profile_name

        target = self.catalogue.find(target_name)
        if target is None:
            return
        gated = self.catalogue.needs_confirmation(target)
        if gated and not confirmed:

            def answered(yes: bool | None) -> None:
                if yes:
                    self.write_sdk_profile(target_name, confirmed=True)
                else:
                    self.notify(f"Cancelled: no SDK profile was written for {target_name}.")

            self.push_screen(
                self.confirm_screen(
                    f"Write an SDK profile for {target_name}? Every program using it gets this "
                    "role's credentials without asking again.",
                    target,
                ),
                answered,
            )
            return
        name = default_profile_name(target)

        def written(_: object, error: str | None) -> None:
            if error is not None:
                self.notify(error, title="Profile not written", severity="error", timeout=10)
                return
            self.notify(
                f"Wrote [profile {name}] with credential_process to the AWS config file: SDKs using "
                f"AWS_PROFILE={name} get {target.name} and refresh it on their own.",
                title="SDK profile",
                timeout=10,
            )

        profile = self.profile

        def add() -> str:
            try:
                return self.services.sdk_profiles.add(name, target, active_profile=profile, yes=gated)
            except NameTaken as taken:  # the app picks the name: another one is the CLI's to give
                raise RoleswitchError(
                    taken.remedy("to use another name, run roleswitch add-profile in a shell")
                ) from None

        self.in_background(add, written)

    def action_serve(self) -> None:
        self.serve_key.toggle()

    @property
    def attention_actions(self) -> frozenset[str]:
        """Actions the key bar highlights: what the person should do now."""
        return frozenset(("sso_sign_in",)) if self.sso_key.attention else frozenset()

    def action_sso_sign_in(self) -> None:
        self.sso_key.sign_in()

    def on_sso_discovery_progress(self, message: SsoDiscoveryProgress) -> None:
        self.sso_key.progressed(message.session, message.text)

    def catalogue_reloaded(self, catalogue: Catalogue) -> None:
        """Show a catalogue read again (after a discovery): the filter and the highlight stay."""
        self.catalogue = catalogue
        self.targets.set_catalogue(catalogue)  # keeps its filter, and the highlight where it still matches
        self.update_count()
        self.session_changed()

    def action_console(self) -> None:
        from roleswitch.ui.console_key import open_console

        open_console(self, self.targets.highlighted)

    def copy_console_url(self) -> None:
        from roleswitch.ui.console_key import open_console

        open_console(self, None, copy=True)

    def action_focus_filter(self) -> None:
        self.filter_input.focus()

    def action_escape(self) -> None:
        filter_input = self.filter_input
        if self.focused is filter_input:
            self.targets.focus()
        elif filter_input.value:
            filter_input.value = ""

    def action_command_palette(self) -> None:
        """The palette that chooses once, from the entries for what was typed (see
        ui.commands.OncePalette); imported at its first use, not at start-up."""
        from roleswitch.ui.commands import open_palette

        open_palette(self)

    def action_help(self) -> None:
        from roleswitch.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Messages name profiles like `[default]`: never read them as markup."""
        super().notify(message, markup=markup, **kwargs)
