"""IAM Identity Center in the app: the sign-in key, the session's own time left, and
discovery in the background.

`SsoKey` holds what the app knows of each SSO session (read from the caches, never
the network, in a background job: at start, after a sign-in or a renewal, when the
AWS CLI's token folder changes, so a sign-in or sign-out in another terminal shows
within a second, and once a minute). A discovery saved by another program (its file
in roleswitch's cache folder) makes the app read the catalogue again. The sign-in key
opens `SsoLoginScreen` for one session (asking which when there are several). After a
sign-in, and at start for every signed-in session whose accounts were last listed more
than an hour ago (or never), discovery runs in a background job, one session at a
time; its progress shows in the top bar, and the catalogue is then read again with the
filter and the highlight kept. A failed discovery is one quiet sentence: the targets
already cached stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from roleswitch.core import paths
from roleswitch.core.catalogue_cache import discovery_key
from roleswitch.core.clock import format_left, format_left_coarse, format_local, seconds_left
from roleswitch.core.file_watch import FileWatch
from roleswitch.ui.widgets.session_bar import Note

if TYPE_CHECKING:
    from roleswitch.core.model import Target
    from roleswitch.core.sso.status import SessionStatus
    from roleswitch.ui.app import RoleswitchApp
    from roleswitch.ui.screens.sso_login import SignInOutcome

SIGN_IN_KEY = "ctrl+n"
STATUS_EVERY = 60  # ticks between two reads of the caches
PROGRESS_EVERY = 0.25  # seconds between two progress messages of a discovery

ShowCode = Callable[[str, str, str, int], None]  # user_code, verification_uri, ..._complete, expires_in


class IdentityCenterService(Protocol):
    """What the app asks of IAM Identity Center (real: launch.RealIdentityCenter; tests swap it).

    Every method but `approve_device` blocks and runs off the UI thread."""

    # Approves a user code as the person would in the browser: the demo's local Identity
    # Center passes its own, so the dialog offers "Approve (demo)". None in real use.
    approve_device: Callable[[str], None] | None

    def statuses(self) -> list[SessionStatus]:
        """Every configured session and where it stands, from the caches only."""
        ...

    def sign_in(self, session: str, show: ShowCode, cancel: Callable[[], bool]) -> datetime:
        """Sign in (device authorization); `show` gets the code; return when it ends.
        Raises RoleswitchError (code "cancelled", "denied", "expired"...)."""
        ...

    def discover(self, session: str, progress: Callable[[str], None]) -> tuple[int, int]:
        """List the session's accounts and roles and save them; (accounts, roles)."""
        ...


def sso_session_of(target: Target | None) -> str | None:
    """The SSO session a target signs in through, if it is a discovered SSO role."""
    return getattr(target, "sso_session", None) if target is not None else None


class SsoKey:
    def __init__(self, app: RoleswitchApp) -> None:
        self.app = app
        self.statuses: list[SessionStatus] = []
        self.reading = False
        self.read_again = False  # asked to read while a read was under way: it may have missed a change
        self.queue: list[str] = []  # sessions waiting to be discovered
        self.discovering: str | None = None
        self.progress: str | None = None  # "corp: 412 of 2,000 accounts"
        self.signing_in = False
        # Sessions a renewal found signed out, with the sign-in's end as the cache had it then:
        # the portal knows better than the cache (a revoked sign-in), until a new sign-in.
        self.ended: dict[str, datetime | None] = {}
        self._ticks = 0
        self.attention = False  # the active role's sign-in has ended: the sign-in key is highlighted
        # What other terminals do: `roleswitch login` or `aws sso login` (the token folder),
        # `roleswitch discover` or another app's discovery (the discovery files).
        # Made by the first read of the statuses, off the UI thread and after the first
        # frame: the token cache module costs start-up 12 ms to import.
        self.token_watch: FileWatch | None = None
        self.discoveries = ""  # discovery_key as the catalogue was last loaded

    @property
    def service(self) -> IdentityCenterService | None:
        return self.app.services.sso

    def status(self, name: str | None) -> SessionStatus | None:
        return next((s for s in self.statuses if s.name == name), None) if name else None

    # --- reading the caches ---------------------------------------------------------------

    def read_statuses(self, *, at_start: bool = False) -> None:
        """Re-read every session's status in the background; at start, then discover
        the sessions whose accounts are missing or old."""
        service = self.service
        if service is None:
            return
        if self.reading:
            self.read_again = True
            return
        self.reading = True

        def read(statuses: list[SessionStatus] | None, error: str | None) -> None:
            self.reading = False
            if self.read_again:
                self.read_again = False
                self.read_statuses()
            if error is not None or statuses is None:
                return  # the caches could not be read: nothing to show, nothing to fix here
            self.statuses = statuses
            if statuses:
                self.app.targets.empty_text = (
                    f"No roles yet: press {SIGN_IN_KEY} to sign in to IAM Identity Center and list your "
                    "accounts, or add role profiles to ~/.aws/config."
                )
                self.app.targets.refresh()
            now = self.app.services.clock.now()
            for status in statuses:
                renewed = status.name in self.ended and status.expires_at != self.ended[status.name]
                if renewed and status.usable(now):
                    del self.ended[status.name]  # signed in again (here, or in another terminal)
            if at_start:
                for status in statuses:
                    if status.needs_discovery(now):
                        self.discover(status.name)
            self.app.refresh_bindings()
            self.app.tick()
            self.app.show_detail(self.app.targets.highlighted)

        def statuses() -> list[SessionStatus]:
            if self.token_watch is None:  # watched from before the read: a change during it is seen
                from roleswitch.core.sso.token_cache import default_cache_folder

                self.token_watch = FileWatch(str(default_cache_folder()))
            return service.statuses()

        self.app.in_background(statuses, read)

    def tick(self) -> None:
        self._ticks += 1
        watch = self.token_watch
        if (watch is not None and watch.changed()) or (self._ticks % STATUS_EVERY == 0 and self.statuses):
            self.read_statuses()  # a sign-in or sign-out elsewhere shows within a second

    def note_discoveries(self) -> None:
        self.discoveries = discovery_key(paths.cache_location())

    def cache_folder_changed(self) -> None:
        """roleswitch's cache folder changed: when a discovery file is new or rewritten by
        another program (not by this app's own discovery, which reloads when done), read
        the catalogue again so its roles show."""
        key = discovery_key(paths.cache_location())
        if key == self.discoveries:
            return
        self.discoveries = key
        if self.discovering is None and self.app.organization_refresh.running is None:
            self.reload_catalogue()

    # --- what the top bar says ------------------------------------------------------------

    def notes(self, target: Target | None, now: datetime) -> list[Note]:
        """The discovery's progress, and the active role's SSO sign-in: its time left, or
        that it has ended (which also highlights the sign-in key)."""
        said = []
        self.attention = False
        if self.progress is not None:
            said.append(Note(self.progress, self.progress))
        name = sso_session_of(target)
        status = self.status(name)
        if name is None or status is None:
            return said
        left = status.left(now)
        if name in self.ended or not status.usable(now) or left is None:
            said.append(Note(f"SSO {name} signed out · {SIGN_IN_KEY} signs in", "SSO signed out"))
            self.attention = True
        elif left.total_seconds() > 0:
            seconds = seconds_left(status.expires_at, now)  # type: ignore[arg-type]
            said.append(Note(f"SSO {name} {format_left(seconds)} left", f"SSO {format_left_coarse(seconds)}"))
        else:
            said.append(Note(f"SSO {name} renews on next use", "SSO renews"))
        return said

    def sign_in_text(self, target: Target | None) -> str | None:
        """For the detail pane: where the sign-in of `target`'s SSO session stands, as a
        moment (it is not repainted every second); None for a role with no SSO session."""
        name = sso_session_of(target)
        if name is None:
            return None
        status = self.status(name)
        if status is None:
            return f"{name}: not configured" if self.statuses else f"{name}: not known yet"
        now = self.app.services.clock.now()
        if status.expires_at is None:
            return f"{name}: not signed in; {SIGN_IN_KEY} signs in"
        if name in self.ended or not status.usable(now):
            return f"{name}: ended; {SIGN_IN_KEY} signs in again"
        if status.expires_at <= now:
            return f"{name}: renews on next use"
        return f"{name}: until {format_local(status.expires_at)}"

    def renewal_problem(self, target: Target) -> str | None:
        """Why auto-renew must not even try `target` (its sign-in has ended), else None."""
        name = sso_session_of(target)
        status = self.status(name)
        if name is None or status is None:
            return None
        if name in self.ended or not status.usable(self.app.services.clock.now()):
            return self.signed_out_sentence(name, f"Auto-renew cannot renew {target.name}: ")
        return None

    def signed_out_sentence(self, name: str, prefix: str = "") -> str:
        return f"{prefix}the SSO session {name} has ended; press {SIGN_IN_KEY} to sign in again."

    def login_needed(self, target: Target) -> str | None:
        """A renewal found the sign-in ended: remember it, and say what to do (None: not an SSO target)."""
        name = sso_session_of(target)
        if name is None:
            return None
        status = self.status(name)
        self.ended[name] = status.expires_at if status is not None else None
        self.read_statuses()
        sentence = self.signed_out_sentence(name)
        return sentence[0].upper() + sentence[1:]

    # --- the sign-in key ------------------------------------------------------------------

    def can_act(self) -> bool | None:
        if self.service is None or not self.statuses:
            return False  # hidden: no SSO session configured (or not read yet)
        return None if self.signing_in else True

    def sign_in(self, name: str | None = None) -> None:
        """Sign in to `name`, else the one session, else ask which (offering the best first)."""
        app = self.app
        if self.service is None:
            return
        if self.signing_in:
            app.notify("A sign-in is already under way.", severity="warning")
            return
        if not self.statuses:
            app.notify(
                "No IAM Identity Center session is configured; add an [sso-session NAME] section "
                "(sso_start_url, sso_region) to ~/.aws/config, or an [sso.NAME] table (start_url, "
                "region) to roleswitch's config.",
                severity="warning",
                timeout=12,
            )
            return
        if name is not None or len(self.statuses) == 1:
            self.open_dialog(name or self.statuses[0].name)
            return
        from roleswitch.core.sso.status import session_to_offer
        from roleswitch.ui.screens.sso_login import SsoSessionPicker

        now = app.services.clock.now()
        preferred = sso_session_of(app.targets.highlighted)
        rows = [(s.name, self.standing(s, now)) for s in self.statuses]

        def picked(chosen: str | None) -> None:
            if chosen is not None:
                self.open_dialog(chosen)

        app.push_screen(SsoSessionPicker(rows, session_to_offer(self.statuses, now, preferred)), picked)

    def standing(self, status: SessionStatus, now: datetime) -> str:
        left = status.left(now)
        if left is None:
            return "not signed in"
        if status.name in self.ended or not status.usable(now):
            return "signed out"
        if left.total_seconds() <= 0:
            return "renews on next use"
        return f"{format_left_coarse(seconds_left(status.expires_at, now))} left"  # type: ignore[arg-type]

    def open_dialog(self, name: str) -> None:
        from roleswitch.ui.screens.sso_login import SsoLoginScreen

        service = self.service
        assert service is not None
        self.signing_in = True
        self.app.refresh_bindings()
        self.app.push_screen(SsoLoginScreen(name, service, browser=self.app.settings.browser), self.signed_in)

    def signed_in(self, outcome: SignInOutcome | None) -> None:
        app = self.app
        self.signing_in = False
        app.refresh_bindings()
        if outcome is None:
            return
        if outcome.expires_at is None:
            message = outcome.message
            if outcome.code == "expired":
                message = (
                    f"The sign-in code expired before it was approved; press {SIGN_IN_KEY} to try again."
                )
            if outcome.code == "cancelled":
                app.notify(message)
            else:
                app.notify(message, title=f"Not signed in to {outcome.session}", severity="error", timeout=12)
            return
        self.ended.pop(outcome.session, None)
        app.renew_problem = None
        app.notify(
            f"Signed in to {outcome.session} until {format_local(outcome.expires_at)}; the AWS CLI and "
            "SDKs can use it too.",
            title="Signed in",
        )
        self.read_statuses()
        self.discover(outcome.session)

    # --- discovery in the background ------------------------------------------------------

    def discover(self, name: str) -> None:
        """Queue a discovery of `name` (once); they run one at a time."""
        if name == self.discovering or name in self.queue:
            return
        self.queue.append(name)
        self._next()

    def _next(self) -> None:
        service = self.service
        if service is None or self.discovering is not None or not self.queue:
            return
        name = self.discovering = self.queue.pop(0)
        self.progress = f"{name}: finding accounts…"
        app = self.app
        app.tick()
        last = [0.0]

        def progress(text: str) -> None:  # on the discovery's thread: post, never touch widgets
            moment = time.monotonic()
            if moment - last[0] >= PROGRESS_EVERY:
                last[0] = moment
                from roleswitch.ui.messages import SsoDiscoveryProgress

                app.post_message(SsoDiscoveryProgress(name, text))

        def done(found: tuple[int, int] | None, error: str | None) -> None:
            self.discovering, self.progress = None, None
            if error is not None or found is None:
                app.notify(
                    error or "IAM Identity Center did not answer.",
                    title=f"Accounts of {name} not refreshed; the roles found before stay",
                    severity="warning",
                    timeout=10,
                )
                app.tick()
                self._next()
                return
            accounts, roles = found
            app.notify(
                f"{name}: {accounts:,} account{'s' if accounts != 1 else ''}, {roles:,} "
                f"role{'s' if roles != 1 else ''} found."
            )
            self.reload_catalogue()
            self._next()

        app.in_background(lambda: service.discover(name, progress), done)

    def progressed(self, session: str, text: str) -> None:
        if session == self.discovering:
            self.progress = f"{session}: {text}"
            self.app.tick()

    def reload_catalogue(self) -> None:
        """Read the catalogue again (now with what discovery found), off the UI thread."""
        app = self.app

        def loaded(catalogue: Any, error: str | None) -> None:
            if error is not None or catalogue is None:
                app.notify(error or "The roles could not be read again.", severity="warning")
                return
            app.catalogue_reloaded(catalogue)
            self.discoveries = discovery_key(paths.cache_location())
            self.read_statuses()

        app.in_background(app.services.load_catalogue, loaded)
