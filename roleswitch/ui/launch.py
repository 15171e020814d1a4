"""Wire the real services into the app and run it, as `roleswitch` and the demo do.

Nothing heavy is imported at module level: `launch` pauses the garbage collector
first, so Textual's 200 modules and the catalogue load without collections.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp, Services
    from roleswitch.ui.collector import StartUpCollector


@contextlib.contextmanager
def collector_paused_for_start_up() -> Iterator[StartUpCollector]:
    """The collector off until the app calls the yielded collector's `settled` (its first
    frame is up) or the block ends, whichever comes first; then on, with what start-up
    made frozen (roleswitch.ui.collector); when the block ends, as it was before.

    Start-up allocates in bursts (Textual's modules, 10,000 targets, styles, the first
    paint), and each automatic collection would walk everything made so far: 50 to
    70 ms of a start. `settled` runs one collection while the app is idle, so the
    first automatic one does not land on the first keystroke."""
    from roleswitch.ui.collector import StartUpCollector

    collector = StartUpCollector()
    collector.pause()
    try:
        yield collector
    finally:
        collector.resume()


class WritesAfterFirstFrame:
    """Cache writes held until the app's first frame is up, then each done on a thread of
    its own: a cold start does not wait for the catalogue cache's encoding and fsync.
    A write handed over after `release` starts at once (a reload's)."""

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._pending: list[Callable[[], None]] = []
        self._released = False
        self._threads: list[threading.Thread] = []

    def defer(self, write: Callable[[], None]) -> None:
        with self._lock:
            if not self._released:
                self._pending.append(write)
                return
        self._start(write)

    def release(self) -> None:
        with self._lock:
            self._released = True
            pending, self._pending = self._pending, []
        for write in pending:
            self._start(write)

    def finish(self) -> None:
        """When the app has closed: release what is held and wait for every write."""
        self.release()
        for thread in self._threads:
            thread.join()

    def _start(self, write: Callable[[], None]) -> None:
        import threading

        # Not a daemon: a write in flight when the app closes is finished, not cut off.
        thread = threading.Thread(target=write, name="catalogue-cache-write")
        self._threads.append(thread)
        thread.start()


def real_services(
    approve_device: Callable[[str], None] | None = None, later: WritesAfterFirstFrame | None = None
) -> Services:
    from functools import partial

    from roleswitch.core.catalogue_cache import load_catalogue_cached
    from roleswitch.core.clock import SystemClock
    from roleswitch.core.credentials_file import CredentialsFile
    from roleswitch.core.mfa_sessions import MfaSessionStore, forget_cached_credentials
    from roleswitch.core.sdk_profiles import SdkProfiles
    from roleswitch.core.sts import StsClient
    from roleswitch.ui.app import Services

    mfa_sessions = MfaSessionStore()
    return Services(
        load_catalogue=(
            load_catalogue_cached
            if later is None
            else partial(load_catalogue_cached, defer_write=later.defer)
        ),
        sts=StsClient(mfa_sessions=mfa_sessions),
        credentials=CredentialsFile(),
        clock=SystemClock(),
        save_setting=save_setting,
        mfa_sessions=mfa_sessions,
        sdk_profiles=SdkProfiles(),
        logout=forget_cached_credentials,
        console=console_opener,
        serve=serve_in_background,
        sso=RealIdentityCenter(approve_device),
        organizations=RealOrganizations(),
        usage=LazyUsageStore(),
        remember_profile=remember_profile,
    )


class LazyUsageStore:
    """core.usage.UsageStore, imported and made at its first use (after the first frame)."""

    def __init__(self) -> None:
        self._store: Any = None

    def _made(self) -> Any:
        if self._store is None:
            from roleswitch.core.usage import UsageStore

            self._store = UsageStore()
        return self._store

    def load(self, *, now=None):
        return self._made().load(now=now)

    def toggle_pin(self, name: str) -> bool:
        return self._made().toggle_pin(name)

    def record_use(self, name: str, now) -> None:
        self._made().record_use(name, now)


def save_setting(key: str, value: object) -> None:
    """ctrl+a's `auto_renew = ...` in the TOML (imported at first use, not at start-up)."""
    from roleswitch.core.settings_store import save_setting as save

    save(key, value)


def remember_profile(target, profile: str) -> None:
    """ctrl+y's "remember": `profile = "NAME"` on the target's TOML role (every other byte kept)."""
    from roleswitch.core.settings_store import remember_profile as remember

    remember(target, profile)


class RealOrganizations:
    """The app's AWS Organizations service (ui.organizations.OrganizationsService); the TOML
    is read again at each call, so edits show without a restart."""

    def listed(self):
        from roleswitch.core.organizations import OrganizationCache, load_organization_specs

        cache = OrganizationCache()
        specs, _problems = load_organization_specs()  # the catalogue reports them
        return [(spec.name, found.fetched_at if (found := cache.load(spec)) else None) for spec in specs]

    def discover(self, name: str) -> int:
        from roleswitch.core.errors import RoleswitchError
        from roleswitch.core.organizations import (
            OrganizationCache,
            discover_organization,
            load_organization_specs,
        )

        specs, _problems = load_organization_specs()
        spec = next((spec for spec in specs if spec.name == name), None)
        if spec is None:
            raise RoleswitchError(f"Organisation {name} is no longer in roleswitch's config.")
        found = discover_organization(spec)
        OrganizationCache().save(found)
        return len(found.accounts)


class RealIdentityCenter:
    """The app's IAM Identity Center service (ui.sso.IdentityCenterService) with the core's
    functions; the configuration is read again at each call, so edits show without a restart."""

    def __init__(self, approve_device: Callable[[str], None] | None = None) -> None:
        self.approve_device = approve_device

    def statuses(self):
        from roleswitch.core.sso.status import session_statuses

        return session_statuses()

    def sign_in(self, session: str, show, cancel: Callable[[], bool]):
        from roleswitch.core.sso.login import login

        return login(self._session(session), show, cancel=cancel).expires_at

    def discover(self, session: str, progress: Callable[[str], None]) -> tuple[int, int]:
        from roleswitch.core.sso.discovery import DiscoveryCache, discover

        discovery = discover(self._session(session), progress=lambda p: progress(p.text))
        DiscoveryCache().save(discovery)
        return len(discovery.accounts), discovery.role_count

    @staticmethod
    def _session(name: str):
        from roleswitch.core.sso.assume import session_named

        return session_named(name)


def serve_in_background(target, settings):
    """ctrl+s: the server's HTTP modules are imported when it starts, not at start-up."""
    from roleswitch.serve.background import serve_in_background as serve

    return serve(target, settings)


def console_opener():
    from roleswitch.core.console import ConsoleOpener

    return ConsoleOpener()


def build_app(
    badge: str = "",
    on_settled: Callable[[], None] | None = None,
    approve_device: Callable[[str], None] | None = None,
    later: WritesAfterFirstFrame | None = None,
) -> RoleswitchApp:
    """The app with the real services; `launch` runs it. `approve_device` (the demo's local
    Identity Center's approve) lets the sign-in dialog offer "Approve (demo)". With `later`,
    the catalogue cache is written when `later` is released instead of during the load."""
    from roleswitch.ui.app import RoleswitchApp

    return RoleswitchApp(real_services(approve_device, later), badge=badge, on_settled=on_settled)


INTERRUPTED = 130
SETTLED_COLLECTION_DELAY = 0.1  # seconds after the app settled in


@contextlib.contextmanager
def interrupt_closes(app: RoleswitchApp) -> Iterator[None]:
    """SIGINT (Ctrl-C before the terminal is in raw mode, or `kill -INT`) closes the app.

    asyncio's runner would otherwise turn it into a cancellation of the app's main task,
    which Textual can swallow mid-start-up: the app then runs on, deaf to the signal.
    With a handler of our own the runner installs none. While the event loop runs, the
    handler asks the app to exit (through the loop's wake-up, so it acts at once);
    before the loop starts it raises KeyboardInterrupt, which `cli.main` turns into one
    line."""
    import asyncio
    import signal

    def interrupted(signum: int, frame: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise KeyboardInterrupt from None
        loop.call_soon_threadsafe(app.exit, None, INTERRUPTED)

    try:
        previous = signal.signal(signal.SIGINT, interrupted)
    except ValueError:  # not the main thread (a test running the app in a thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def launch(badge: str = "", approve_device: Callable[[str], None] | None = None, **run_options: Any) -> int:
    """Run the app; `run_options` go to `App.run` (the benchmarks run it headless)."""
    later = WritesAfterFirstFrame()
    with collector_paused_for_start_up() as collector:

        def first_frame_up() -> None:
            later.release()
            # A moment later, in a turn of the event loop of its own: the collection's pause
            # (25 to 35 ms at 10,000 targets) does not add to settle_in's or its frame's.
            app.set_timer(SETTLED_COLLECTION_DELAY, collector.settled)

        app = build_app(badge, on_settled=first_frame_up, approve_device=approve_device, later=later)
        # A catalogue read again must not stay frozen behind the new one.
        app.services.load_catalogue = collector.reading(app.services.load_catalogue)
        try:
            with interrupt_closes(app):
                app.run(**run_options)
        finally:
            later.finish()  # an app closed before it settled still leaves its cache
    if app.return_code == INTERRUPTED:
        import sys

        sys.stderr.write("roleswitch: interrupted; the app closed.\n")
    return app.return_code or 0
