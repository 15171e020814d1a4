"""`roleswitch discover [NAME ...]`: refresh what discovery found, now, from a terminal.

Each `[[discover.organizations]]` entry of roleswitch's TOML lists its organisation's
accounts again, and each IAM Identity Center session with a usable sign-in lists its
accounts and roles again; the results replace the caches the app and `list` read.
NAME picks organisations or SSO sessions by name (none: all of them; a session that is
not signed in is then skipped with a note). Progress and results go to stderr; each
failure is one sentence there, and the exit status is 1 if any happened.

cli.py parses and wires; this module decides.
"""

from __future__ import annotations

import sys
import time

TYPE_CHECKING = False  # typing costs every command's start-up; only the type checker needs it
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import TextIO

    from roleswitch.core.organizations import OrganizationSpec
    from roleswitch.core.sso.config import SsoSession

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
PROGRESS_EVERY = 1.0  # seconds between two progress lines of one source


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="organisation ([[discover.organizations]] name) or SSO session to refresh (none: every one)",
    )


def run_discover(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Refresh every chosen source in turn; 0 if all worked, 1 if any failed, 2 for an unknown name."""
    from roleswitch.core.organizations import load_organization_specs
    from roleswitch.core.sso.config import load_sso_config

    err = err or sys.stderr
    names = list(getattr(args, "names", None) or [])
    specs, spec_problems = load_organization_specs()
    sso = load_sso_config()
    for problem in sso.problems:
        err.write(f"roleswitch: warning: {problem}\n")
    for problem in spec_problems:  # an organisation left out: a failure unless others were named
        err.write(f"roleswitch: {'warning: ' if names else ''}{problem}\n")
    known = [s.name for s in specs] + [s.name for s in sso.sessions]
    unknown = [n for n in names if n not in known]
    if unknown:
        there = f" (there are: {', '.join(dict.fromkeys(known))})" if known else ""
        err.write(f"roleswitch: there is no organisation or SSO session named {unknown[0]}{there}.\n")
        return EXIT_USAGE
    if not known and not spec_problems:
        err.write(
            "roleswitch: nothing to discover; add a [[discover.organizations]] table (source_profile, "
            "role_name) to roleswitch's config, or an IAM Identity Center session ([sso-session NAME] "
            "in ~/.aws/config) and sign in with `roleswitch login`.\n"
        )
        return EXIT_FAILURE
    failed = bool(spec_problems) and not names
    for spec in specs:
        if not names or spec.name in names:
            failed |= not _organization(spec, err)
    for session in sso.sessions:
        if not names or session.name in names:
            failed |= not _sso_session(session, err, named=bool(names))
    return EXIT_FAILURE if failed else EXIT_OK


def _organization(spec: OrganizationSpec, err: TextIO) -> bool:
    from roleswitch.core.errors import RoleswitchError
    from roleswitch.core.organizations import OrganizationCache, discover_organization

    show = _throttled(err)
    try:
        found = discover_organization(
            spec, progress=lambda count: show(f"{spec.name}: {count:,} {_plural(count, 'account')} so far")
        )
    except RoleswitchError as error:
        err.write(f"roleswitch: {error}\n")
        return False
    saved = OrganizationCache().save(found)
    count = len(found.accounts)
    err.write(
        f"{spec.name}: {count:,} {_plural(count, 'account')}, {spec.role_name} in each{_not_saved(saved)}.\n"
    )
    return True


def _sso_session(session: SsoSession, err: TextIO, *, named: bool) -> bool:
    """Discovery for a session signed in; one not signed in is a failure only when named."""
    from roleswitch.core.errors import RoleswitchError
    from roleswitch.core.sso.discovery import DiscoveryCache, discover
    from roleswitch.core.sso.token_cache import valid_token

    try:
        token = valid_token(session)
    except RoleswitchError as error:
        if named or getattr(error, "code", "") != "login-needed":
            err.write(f"roleswitch: {error}\n")
            return False
        err.write(f"{session.name}: not signed in, skipped (roleswitch login {session.name}).\n")
        return True
    show = _throttled(err)
    try:
        found = discover(session, token=token, progress=lambda step: show(f"{session.name}: {step.text}"))
    except RoleswitchError as error:
        err.write(f"roleswitch: {error}\n")
        return False
    saved = DiscoveryCache().save(found)
    accounts, roles = len(found.accounts), found.role_count
    err.write(
        f"{session.name}: {accounts:,} {_plural(accounts, 'account')}, {roles:,} "
        f"{_plural(roles, 'role')}{_not_saved(saved)}.\n"
    )
    return True


def _throttled(err: TextIO) -> Callable[[str], None]:
    """Writes a progress line at most once every PROGRESS_EVERY seconds (the first after that):
    a quick discovery shows only its result."""
    last = [time.monotonic()]

    def show(line: str) -> None:
        moment = time.monotonic()
        if moment - last[0] >= PROGRESS_EVERY:
            last[0] = moment
            err.write(line + "\n")
            err.flush()

    return show


def _not_saved(saved: bool) -> str:
    return "" if saved else " (not cached: roleswitch's cache folder cannot be written)"


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"
