"""`roleswitch login [SESSION]`: sign in to IAM Identity Center from a terminal, then discover.

cli.py parses and wires; this module decides. Everything for the person goes to
stderr (the URL and code, progress, the result), so it works over SSH with no
browser and leaves stdout clean. The access token never appears in any output.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # typing costs every command's start-up; only the type checker needs it
if TYPE_CHECKING:
    import argparse
    from typing import TextIO

    from roleswitch.core.sso.config import SsoConfig, SsoSession
    from roleswitch.core.sso.discovery import Progress

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session", nargs="?", help="SSO session name (none: the only one configured)")
    parser.add_argument(
        "--open",
        dest="open_browser",
        action="store_true",
        help="also open the sign-in page in a browser here (never needed: the URL works on any device)",
    )


def choose_session(config: SsoConfig, name: str | None, err: TextIO) -> SsoSession | None:
    """The session to sign in to, or None after saying why and which there are."""
    if name is not None:
        session = config.find(name)
        if session is not None:
            return session
        err.write(f"roleswitch: there is no SSO session named {name}.\n")
    elif len(config.sessions) == 1:
        return config.sessions[0]
    if not config.sessions:
        err.write(
            "roleswitch: no IAM Identity Center session is configured; add an [sso-session NAME] section "
            "(sso_start_url, sso_region) to ~/.aws/config, or an [sso.NAME] table (start_url, region) to "
            "roleswitch's config.\n"
        )
        return None
    if name is None:
        err.write("roleswitch: several SSO sessions are configured; name one: roleswitch login SESSION.\n")
    err.write("SSO sessions:\n")
    for session in config.sessions:
        err.write(f"  {session.name}  {session.start_url} ({session.region})\n")
    return None


def run_login(args: argparse.Namespace, err: TextIO | None = None) -> int:
    from roleswitch.core.sso.config import load_sso_config
    from roleswitch.core.sso.discovery import DiscoveryCache, discover
    from roleswitch.core.sso.login import login

    err = err or sys.stderr
    config = load_sso_config()
    for problem in config.problems:
        err.write(f"roleswitch: warning: {problem}\n")
    session = choose_session(config, args.session, err)
    if session is None:
        return EXIT_USAGE

    def show(user_code: str, uri: str, complete: str, expires_in: int) -> None:
        err.write(
            f"To sign in to {session.name}, open this page on any device and check it shows the code:\n"
            f"  {complete}\n"
            f"  code: {user_code}   (or open {uri} and type it; it expires in {_minutes(expires_in)})\n"
        )
        if args.open_browser:
            _open(complete, err)
        err.write("Waiting for approval (Ctrl-C cancels)...\n")
        err.flush()

    token = login(session, show)
    local_time = token.expires_at.astimezone().strftime("%H:%M")
    err.write(f"Signed in to {session.name} until {local_time}; the AWS CLI and SDKs can use it too.\n")
    try:
        discovery = discover(session, token=token, progress=_progress_printer(err))
    except KeyboardInterrupt:
        err.write("\nroleswitch: discovery interrupted; the sign-in was kept.\n")
        return 130
    DiscoveryCache().save(discovery)
    accounts, roles = len(discovery.accounts), discovery.role_count
    err.write(f"{accounts:,} {_plural(accounts, 'account')}, {roles:,} {_plural(roles, 'role')} found.\n")
    return EXIT_OK


def _open(url: str, err: TextIO) -> None:
    """A convenience: the page is already printed, so a failure only says to open it by hand
    (the browser module's own sentence is about console URLs) and the sign-in goes on."""
    from roleswitch.core.browser import BrowserError, open_url
    from roleswitch.core.catalogue import load_settings

    try:
        settings, _ = load_settings()
        open_url(url, template=settings.browser, container="", colour="")
    except BrowserError:
        err.write(
            "roleswitch: no browser could be opened here (over SSH?); open the page above on any "
            "device and check the code.\n"
        )


def _progress_printer(err: TextIO):
    """On a terminal, one line rewritten at most 4 times a second; elsewhere nothing."""
    if not err.isatty():
        return None
    last = [0.0]

    def show(progress: Progress) -> None:
        moment = time.monotonic()
        if moment - last[0] >= 0.25 or (progress.listing_done and progress.done == progress.listed):
            last[0] = moment
            err.write(f"\r{progress.text}\x1b[K")
            if progress.listing_done and progress.done == progress.listed:
                err.write("\n")
            err.flush()

    return show


def _minutes(seconds: int) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} {_plural(minutes, 'minute')}"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def run_logout(session_name: str | None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`roleswitch logout --sso [SESSION]`: sign out of each signed-in session, or the named one.

    One line per session on stdout; 1 when a portal could not be told (the sign-in was
    removed here all the same), 2 for a session that is not configured."""
    from roleswitch.core.sso.config import load_sso_config
    from roleswitch.core.sso.logout import sign_out_all, signed_in_sessions

    out, err = out or sys.stdout, err or sys.stderr
    config = load_sso_config()
    for problem in config.problems:
        err.write(f"roleswitch: warning: {problem}\n")
    if session_name:
        session = config.find(session_name)
        if session is None:
            choose_session(config, session_name, err)
            return EXIT_USAGE
        sessions = [session]
    else:
        sessions = signed_in_sessions(config)
    done = sign_out_all(sessions)
    if not done:
        which = f"to {session_name}" if session_name else "to any SSO session"
        out.write(f"Not signed in {which} here; nothing to sign out of.\n")
    for result in done:
        out.write(result.sentence + "\n")
    return EXIT_FAILURE if any(result.portal_problem for result in done) else EXIT_OK


def sso_sign_ins_note() -> str | None:
    """For plain `roleswitch logout`: the line saying SSO sign-ins stay, when there are any."""
    from roleswitch.core.sso.config import load_sso_config
    from roleswitch.core.sso.logout import signed_in_sessions

    if not signed_in_sessions(load_sso_config()):
        return None
    return "SSO sign-ins are kept; `roleswitch logout --sso` signs out."
