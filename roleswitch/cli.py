"""Command line: parse arguments, wire the real services, run a command or the app.

Heavy modules (boto3, textual) are imported only by the commands that need
them, so `roleswitch status` stays fast enough for a shell prompt.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from roleswitch import __version__
from roleswitch.core.errors import RoleswitchError, TargetNotFound

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_EXPIRED = 3
EXIT_NO_SESSION = 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        self.exit(EXIT_USAGE, f"roleswitch: {message} (see roleswitch --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="roleswitch",
        description=(
            "Switch AWS roles. With no command, opens the app: pick a role, watch its "
            "countdown, renew with a keypress."
        ),
        epilog=(
            "Files: AWS_CONFIG_FILE (~/.aws/config), AWS_SHARED_CREDENTIALS_FILE "
            "(~/.aws/credentials), ROLESWITCH_CONFIG (~/.config/roleswitch/config.toml). "
            "Exit status: 0 success, 1 failure, 2 usage error; status also uses 3 expired, "
            "4 no active session."
        ),
    )
    parser.add_argument("--version", action="version", version=f"roleswitch {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=help_text, description=help_text)

    listing = add("list", "List the roles you can assume, grouped by account.")
    listing.add_argument("--json", action="store_true", help="machine-readable output")

    assume = add("assume", "Assume a role and write it as the active profile.")
    assume.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    _add_profile(assume)
    _add_assume_options(assume)

    status = add("status", "Show the active session and its time left (for shell prompts).")
    _add_profile(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--short", action="store_true", help="compact, for prompts: 'prod/Admin 42m'")

    env = add("env", 'Assume a role and print export lines; use: eval "$(roleswitch env T)".')
    env.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    env.add_argument("--shell", choices=("sh", "fish", "powershell"), default="sh")
    _add_assume_options(env)

    clear = add("clear", "Remove the active profile from the credentials file (only if roleswitch wrote it).")
    _add_profile(clear)

    demo = add("demo", "Open the app on a sandbox with a local STS endpoint; touches nothing of yours.")
    demo.add_argument("--dir", help="keep the sandbox in this folder instead of a temporary one")
    return parser


def _add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", metavar="NAME", help="credentials-file profile to use (default: active_profile)"
    )


def _add_assume_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", metavar="D", help="session length: seconds, or like 1h, 90m")
    parser.add_argument("--mfa-code", metavar="CODE", help="6-digit MFA code (prompted for on a TTY)")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {
        None: run_app,
        "list": cmd_list,
        "assume": cmd_assume,
        "status": cmd_status,
        "env": cmd_env,
        "clear": cmd_clear,
        "demo": cmd_demo,
    }
    try:
        return handlers[args.command](args)
    except RoleswitchError as error:
        print(f"roleswitch: {error}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("roleswitch: interrupted; nothing was written.", file=sys.stderr)
        return 130


# --- commands ---------------------------------------------------------------


def _catalogue():
    from roleswitch.core.catalogue import load_catalogue

    catalogue = load_catalogue()
    for problem in catalogue.problems:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    return catalogue


def _find(catalogue, name: str):
    target = catalogue.find(name)
    if target is None:
        raise TargetNotFound(f"No target named '{name}'; run `roleswitch list` to see them.")
    return target


def cmd_list(args: argparse.Namespace) -> int:
    from roleswitch.core.clock import SystemClock, format_left, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile

    catalogue = _catalogue()
    profile = catalogue.settings.active_profile
    active = CredentialsFile().read_active(profile)
    now = SystemClock().now()
    left = seconds_left(active.expiration, now) if active is not None and active.expiration else None

    def is_active(target) -> bool:
        return active is not None and active.target_name == target.name

    if args.json:
        out = []
        for account in catalogue.accounts():
            for t in account.targets:
                out.append(
                    {
                        "name": t.name,
                        "account_id": t.account_id,
                        "account_name": account.name,
                        "role_name": t.role_name,
                        "role_arn": t.role_arn,
                        "source": t.source_profile,
                        "credential_source": t.credential_source,
                        "region": t.region,
                        "mfa": t.needs_mfa,
                        "origin": t.origin,
                        "valid": t.valid,
                        "problem": t.problem,
                        "active": is_active(t),
                        "seconds_left": left if is_active(t) else None,
                    }
                )
        print(json.dumps(out, indent=2))
        return EXIT_OK
    if not catalogue.targets:
        print(
            "No roles configured. Add role profiles to ~/.aws/config or accounts to "
            "roleswitch's config (see README), or try `roleswitch demo`."
        )
        return EXIT_OK
    width = max(len(t.name) for t in catalogue.targets)
    for account in catalogue.accounts():
        print(account.label)
        for t in account.targets:
            mark = "*" if is_active(t) else " "
            if not t.valid:
                print(f"  {mark} {t.name:<{width}}  invalid: {t.problem}")
                continue
            extra = []
            if t.needs_mfa:
                extra.append("MFA")
            if is_active(t) and left is not None:
                extra.append(f"active in [{profile}], {format_left(left)}" + (" left" if left > 0 else ""))
            print(
                f"  {mark} {t.name:<{width}}  {t.role_name:<16} source={t.source_label:<12} "
                f"region={t.region or '-':<14} {'  '.join(extra)}".rstrip()
            )
    return EXIT_OK


def _assume(args: argparse.Namespace, *, writes: bool):
    """Find the target, check the profile it will go to, ask for MFA, call STS.

    Shared by assume and env; returns (profile written to or None, result).
    """
    from roleswitch.core import validate
    from roleswitch.core.credentials_file import CredentialsFile
    from roleswitch.core.sts import StsClient

    catalogue = _catalogue()
    target = _find(catalogue, args.target)
    duration = validate.duration(args.duration) if args.duration else None
    check_profile = None
    if writes:
        check_profile = args.profile or catalogue.settings.active_profile
        CredentialsFile().check_writable(check_profile, source_profile=target.source_profile)
    code = args.mfa_code
    if target.needs_mfa and code is None:
        if not sys.stdin.isatty():
            raise RoleswitchError(f"{target.name} needs an MFA code; pass --mfa-code CODE.")
        sys.stderr.write(f"MFA code for {target.mfa_serial}: ")
        sys.stderr.flush()
        code = sys.stdin.readline().strip()
    if code is not None:
        validate.mfa_code(code)
    return check_profile, StsClient().assume(
        target, settings=catalogue.settings, mfa_code=code, duration=duration
    )


def cmd_assume(args: argparse.Namespace) -> int:
    from roleswitch.core.clock import SystemClock, format_left, format_local, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile

    profile, result = _assume(args, writes=True)
    writer = CredentialsFile()
    writer.write(profile, result)
    warning = writer.permission_warning()
    if warning:
        print(f"roleswitch: warning: {warning}", file=sys.stderr)
    expiry = result.credentials.expiration
    left = seconds_left(expiry, SystemClock().now())
    print(f"Assumed {result.assumed_arn}")
    print(
        f"Profile [{profile}] in {writer.path} holds it until {format_local(expiry)} "
        f"({format_left(left)} left)."
    )
    return EXIT_OK


def _settings():
    from roleswitch.core.catalogue import load_settings

    settings, problems = load_settings()
    for problem in problems:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    return settings


def cmd_status(args: argparse.Namespace) -> int:
    from roleswitch.core.clock import SystemClock, format_left, format_local, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile

    profile = args.profile or _settings().active_profile
    active = CredentialsFile().read_active(profile)
    if active is None or active.expiration is None:
        if args.short:
            return EXIT_NO_SESSION
        if args.json:
            print(json.dumps({"profile": profile, "state": "none"}))
        else:
            print(f"No active session in [{profile}].")
        return EXIT_NO_SESSION
    left = seconds_left(active.expiration, SystemClock().now())
    account = (active.role_arn or "").split(":")[4] if (active.role_arn or "").count(":") >= 5 else ""
    state = "active" if left > 0 else "expired"
    if args.short:
        name = active.target_name or "aws"
        print(f"{name} {left // 60}m" if left > 0 else f"{name} expired")
    elif args.json:
        print(
            json.dumps(
                {
                    "profile": profile,
                    "state": state,
                    "target": active.target_name,
                    "role_arn": active.role_arn,
                    "account_id": account,
                    "assumed_arn": active.assumed_arn,
                    "expiration": active.expiration.isoformat().replace("+00:00", "Z"),
                    "seconds_left": left,
                }
            )
        )
    else:
        what = f"{active.target_name or active.role_arn} ({account})" if account else active.target_name
        if left > 0:
            print(
                f"{what} in [{profile}]: {format_left(left)} left, until {format_local(active.expiration)}."
            )
        else:
            print(f"{what} in [{profile}]: {format_left(left)}.")
    return EXIT_OK if left > 0 else EXIT_EXPIRED


def cmd_env(args: argparse.Namespace) -> int:
    from roleswitch.core.exports import export_lines

    _, result = _assume(args, writes=False)
    print("\n".join(export_lines(result.credentials, result.region, args.shell)))
    return EXIT_OK


def cmd_clear(args: argparse.Namespace) -> int:
    from roleswitch.core.credentials_file import CredentialsFile

    profile = args.profile or _settings().active_profile
    writer = CredentialsFile()
    if writer.clear(profile):
        print(f"Removed [{profile}] from {writer.path}.")
    else:
        print(f"Nothing to clear: roleswitch holds no session in [{profile}].")
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    from roleswitch.ui.launch import launch

    return launch()


def cmd_demo(args: argparse.Namespace) -> int:
    from roleswitch.demo import run_demo

    return run_demo(args.dir)
