"""The app's credential server: the active session's target, served from a thread of the app.

The same parts as `roleswitch serve`, but it never asks for an MFA code (the app's MFA
screen is for assuming): an MFA role needs an open MFA session, which renewing the
session in the app keeps open. Heavy modules are imported when serving starts.
"""

from __future__ import annotations

from roleswitch.core.model import Settings, Target


class BackgroundServer:
    """A running server and what the status bar shows of it; no secret in its repr."""

    def __init__(self, target: Target, server, refresher) -> None:
        self.target_name = target.name
        self._server = server
        self._refresher = refresher
        self.problem: str | None = None  # the renewal problem the server last logged

    def __repr__(self) -> str:
        return f"BackgroundServer({self.target_name!r}, port={self.port})"

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def answered(self) -> int:
        return self._server.answered

    def export_lines(self) -> list[str]:
        import shlex

        return [f"export {name}={shlex.quote(value)}" for name, value in self._server.environment().items()]

    def stop(self) -> None:
        self._refresher.stop()
        self._server.stop()


def serve_in_background(target: Target, settings: Settings) -> BackgroundServer:
    """Start serving `target`; `RoleswitchError` with one sentence if its first credentials
    cannot be had. Blocking (it may call STS): run it off the UI thread."""
    from roleswitch.serve.refresher import Refresher
    from roleswitch.serve.server import CredentialServer
    from roleswitch.serve.source import RoleSource

    source = RoleSource(target, settings)
    running: list[BackgroundServer] = []

    def log(message: str) -> None:
        if running:
            running[0].problem = message

    refresher = Refresher(source.renew, log=log)
    server = CredentialServer(refresher.get)
    try:
        refresher.prime(source.first())
    except BaseException:
        server.stop()
        raise
    handle = BackgroundServer(target, server.start(), refresher)
    running.append(handle)
    refresher.start()
    return handle
