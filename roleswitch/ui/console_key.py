"""ctrl+b in the app: open the AWS console as the highlighted role or the active session.

The highlighted role is assumed for the console only (asking for an MFA code when its
MFA session is not open) and nothing is written: the active session stays what every
terminal uses. When the highlighted role is the active one, or nothing is highlighted,
the active session's own credentials sign in. The sign-in URL is never shown; the
palette's "console URL: copy" hands it to the system clipboard command instead.

Everything that waits (STS, the sign-in endpoint, the browser, the clipboard) runs in
the app's background jobs; the outcome comes back as one sentence.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from roleswitch.core.errors import RoleswitchError

if TYPE_CHECKING:
    from roleswitch.core.model import Target
    from roleswitch.ui.app import RoleswitchApp

# Apps with a console sign-in under way: one at a time per app.
_opening: weakref.WeakSet = weakref.WeakSet()


def open_console(
    app: RoleswitchApp,
    target: Target | None,
    *,
    copy: bool = False,
    profile: str | None = None,
    confirmed: bool = False,
) -> None:
    """Start opening (or copying) the console sign-in for `target`, else the session in
    `profile` (default: the active profile) with its own credentials. A confirm-gated
    target is assumed for the console only after a yes, as on the command line."""
    if app.services.console is None:
        app.notify("The console is not available here.", severity="warning")
        return
    if app in _opening:
        app.notify("Still opening the console; wait for it to finish.", severity="warning")
        return
    session = app.session_in(profile) if profile is not None else app.session
    if target is not None and session is not None and session.target_name == target.name:
        target = None  # the active role: its session signs in, no new STS call
    if target is None and session is None:
        app.notify("No active session; highlight a role to open the console as it.")
        return
    if target is not None and not target.valid:
        app.notify(f"{target.name} cannot be assumed: {target.problem}", severity="error")
        return
    if target is not None and not confirmed and app.catalogue.needs_confirmation(target):

        def confirmed_yes(yes: bool | None) -> None:
            if yes:
                open_console(app, target, copy=copy, profile=profile, confirmed=True)
            else:
                app.notify(f"Cancelled: the console was not opened as {target.name}.")

        app.push_screen(app.confirm_screen(f"Open the console as {target.name}?", target), confirmed_yes)
        return
    if target is not None and target.needs_mfa and not app.mfa_session_usable(target):
        from roleswitch.ui.screens.mfa import MfaScreen

        def answered(code: str | None) -> None:
            if code is None:
                app.notify("Cancelled: the console was not opened.")
            else:
                _run(app, target, code, copy, profile)

        app.push_screen(MfaScreen(target, app.mfa_reason()), answered)
        return
    _run(app, target, None, copy, profile)


def _run(
    app: RoleswitchApp, target: Target | None, code: str | None, copy: bool, profile: str | None
) -> None:
    services = app.services
    make_opener = services.console
    assert make_opener is not None  # checked by open_console
    settings, catalogue = app.settings, app.catalogue
    profile = profile or app.profile
    now = services.clock.now()
    _opening.add(app)

    def job() -> str:
        from roleswitch.core.console import ConsoleOptions, active_credentials, target_identity

        opener = make_opener()
        if target is None:
            credentials, identity = active_credentials(services.credentials, profile, catalogue, now)
        else:
            result = services.sts.assume(target, settings=settings, mfa_code=code)
            credentials, identity = result.credentials, target_identity(target, result.region)
        sign_in = opener.sign_in(credentials, identity, ConsoleOptions())
        if copy:
            return _copy(sign_in)
        with_what = opener.open(sign_in, settings.browser)
        return (
            f"Opened the console as {sign_in.label} ({sign_in.region}) with {with_what}; "
            "the sign-in link works for 15 minutes."
        )

    def done(said: str | None, error: str | None) -> None:
        _opening.discard(app)
        if error is not None:
            app.notify(error, title="Console not opened", severity="error", timeout=12)
            return
        app.mfa_changed()  # an MFA code may have opened a session
        app.tick()
        app.refresh_bindings()
        app.notify(said or "", title="Console")

    app.in_background(job, done)


def _copy(sign_in) -> str:
    """The URL on the system clipboard, through its command's stdin: never through the
    terminal (OSC 52), where a recording or session log would keep a live credential."""
    from roleswitch.core.clipboard import ClipboardError, clipboard_command, copy_with

    command = clipboard_command()
    if command is None:
        raise RoleswitchError(
            "No clipboard command was found (wl-copy, xclip, xsel, pbcopy, clip.exe); run "
            "roleswitch console --print in a shell instead."
        )
    try:
        copy_with(command, sign_in.url.url)
    except ClipboardError as error:
        raise RoleswitchError(f"The console URL was not copied: {error}") from None
    return (
        f"Copied the console sign-in URL for {sign_in.label} with {command[0].rsplit('/', 1)[-1]}; "
        "it signs in for 15 minutes: treat it as a password."
    )
