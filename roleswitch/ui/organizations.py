"""AWS Organizations in the app: the `[[discover.organizations]]` listings kept fresh.

The catalogue shows each organisation's accounts from roleswitch's cache at once. At
start, every organisation never listed, or last listed more than an hour ago, is
listed again in the background, one at a time (through its source profile: a few
seconds at most, bounded by the STS client's deadline); the top bar says which one
runs, and the catalogue is then read again with the filter and the highlight kept. A
failure is one quiet warning: the accounts listed before stay. The palette's
"refresh accounts: NAME" lists one again at any time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from roleswitch.ui.widgets.session_bar import Note

if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp

MAX_AGE = timedelta(hours=1)  # as SSO discovery's: a listing older than this is refreshed at start


class OrganizationsService(Protocol):
    """What the app asks of AWS Organizations (real: launch.RealOrganizations). Blocking."""

    def listed(self) -> list[tuple[str, datetime | None]]:
        """Each configured organisation and when it was last listed (None: never), from
        the caches only."""
        ...

    def discover(self, name: str) -> int:
        """List the organisation's accounts again and save them; how many there are.
        Raises RoleswitchError with one sentence."""
        ...


class OrganizationRefresh:
    def __init__(self, app: RoleswitchApp) -> None:
        self.app = app
        self.names: list[str] = []  # every configured organisation, once read
        self.queue: list[str] = []
        self.running: str | None = None

    @property
    def service(self) -> OrganizationsService | None:
        return self.app.services.organizations

    def start(self) -> None:
        """Read which organisations there are and refresh the old ones (in the background)."""
        service = self.service
        if service is None:
            return

        def read(listed: list[tuple[str, datetime | None]] | None, error: str | None) -> None:
            if error is not None or listed is None:
                return  # the TOML's problems are the catalogue's to report
            self.names = [name for name, _ in listed]
            now = self.app.services.clock.now()
            for name, when in listed:
                if when is None or now - when > MAX_AGE:
                    self.refresh(name)

        self.app.in_background(service.listed, read)

    def notes(self) -> list[Note]:
        if self.running is None:
            return []
        return [Note(f"{self.running}: listing accounts…", f"{self.running}: listing…")]

    def refresh(self, name: str) -> None:
        """Queue a listing of `name` (once); they run one at a time."""
        if name == self.running or name in self.queue:
            return
        self.queue.append(name)
        self._next()

    def _next(self) -> None:
        service = self.service
        if service is None or self.running is not None or not self.queue:
            return
        name = self.running = self.queue.pop(0)
        app = self.app
        app.tick()

        def done(count: int | None, error: str | None) -> None:
            self.running = None
            if error is not None or count is None:
                app.notify(
                    error or "AWS Organizations did not answer.",
                    title=f"Accounts of {name} not refreshed; the roles found before stay",
                    severity="warning",
                    timeout=10,
                )
            else:
                app.notify(f"{name}: {count:,} account{'s' if count != 1 else ''} found.")
                app.sso_key.reload_catalogue()
            app.tick()
            self._next()

        app.in_background(lambda: service.discover(name), done)
