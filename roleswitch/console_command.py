"""`roleswitch console [TARGET]`: open the AWS console as a session, or print its sign-in URL.

cli.py parses and wires; this module decides. Nothing is written: not the
credentials file (a console for another account must not switch every terminal
to it), not a cache beyond the MFA session the usual assume path keeps.
With `--print` the URL, a credential for 15 minutes, goes to stdout as one line
and nowhere else; without it, never to any output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse

    from roleswitch.core.model import Catalogue, Target


def add_arguments(parser: argparse.ArgumentParser, checked: Callable) -> None:
    """The command's options; `checked` turns a validate function into an argparse type."""
    from roleswitch.core import validate

    parser.add_argument(
        "target",
        nargs="?",
        help="target (or a profile with its own credentials); none: the active session",
    )
    parser.add_argument(
        "--print",
        dest="print_url",
        action="store_true",
        help="print the sign-in URL (a credential for 15 minutes) instead of opening a browser",
    )
    parser.add_argument("--region", metavar="R", help="console region (default: the session's)")
    parser.add_argument(
        "--destination", metavar="SERVICE_OR_URL", help="a service like s3, or a console URL to land on"
    )
    parser.add_argument(
        "--duration",
        metavar="D",
        type=checked(_console_duration),
        help="console session length: seconds, or like 1h, 12h (AWS's default without it)",
    )
    parser.add_argument(
        "--mfa-code", metavar="CODE", type=checked(validate.mfa_code), help="6-digit MFA code, for TARGET"
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="for a TARGET whose environment asks first (e.g. production): do not ask",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="credentials-file profile of the active session (default: active_profile)",
    )


def _console_duration(value: object) -> int:
    from roleswitch.core import validate
    from roleswitch.core.aws.federation import MAX_FEDERATION_TOKEN, MIN_SESSION_DURATION
    from roleswitch.core.errors import ValidationError

    seconds = validate.parse_seconds(value)
    if not MIN_SESSION_DURATION <= seconds <= MAX_FEDERATION_TOKEN:
        raise ValidationError(
            f"console session length {seconds}s is outside 900s to 129600s (15 minutes to 36 hours)."
        )
    return seconds


def run_console(
    args: argparse.Namespace,
    catalogue: Catalogue,
    find: Callable[[Catalogue, str], Target],
    ask_code: Callable,
) -> int:
    from roleswitch.core.clock import SystemClock
    from roleswitch.core.console import (
        ConsoleOpener,
        ConsoleOptions,
        active_credentials,
        source_credentials,
        target_identity,
    )

    options = ConsoleOptions(region=args.region, destination=args.destination, duration=args.duration)
    settings = catalogue.settings
    opener = ConsoleOpener()
    note = None
    if args.target is None:
        from roleswitch.core.credentials_file import CredentialsFile

        profile = args.profile or settings.active_profile
        credentials, identity = active_credentials(CredentialsFile(), profile, catalogue, SystemClock().now())
    elif catalogue.find(args.target) is None and _is_plain_profile(args.target):
        credentials, identity, note = source_credentials(args.target, settings, options)
    else:
        from roleswitch.cli import record_use
        from roleswitch.core.confirmation import confirm

        target = find(catalogue, args.target)
        opener.check(target_identity(target), options)  # a bad option costs no STS call, no MFA code
        confirm(
            catalogue, target, yes=args.yes, stdin=sys.stdin, stderr=sys.stderr, verb="Open the console as"
        )
        credentials, identity = _assume(target, settings, args, ask_code)
        record_use(target)
    sign_in = opener.sign_in(credentials, identity, options, note=note)
    if sign_in.note:
        print(f"roleswitch: {sign_in.note}", file=sys.stderr)
    if args.print_url:
        print(sign_in.url.url)
        return 0
    opened_with = opener.open(sign_in, settings.browser)
    print(
        f"Opened the console as {sign_in.label} ({sign_in.region}) with {opened_with}; "
        "the sign-in link works for 15 minutes."
    )
    return 0


def _assume(target, settings, args, ask_code):
    from roleswitch.core.assume_flow import assume_with_mfa
    from roleswitch.core.console import target_identity
    from roleswitch.core.mfa_sessions import MfaSessionStore
    from roleswitch.core.sts import StsClient

    store = MfaSessionStore()
    result = assume_with_mfa(
        target, settings, StsClient(mfa_sessions=store), store, ask_code, code=args.mfa_code
    )
    return result.credentials, target_identity(target, result.region)


def _is_plain_profile(name: str) -> bool:
    """A profile botocore knows that is not a target: an IAM user, SSO, a process."""
    import boto3

    try:
        return name in boto3.Session().available_profiles
    except Exception:  # an unreadable config: the target lookup then says what is wrong
        return False
