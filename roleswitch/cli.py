"""Command line: parse arguments, wire the real services, run a command or the app.

Heavy modules (boto3, textual) are imported only by the commands that need
them, so `roleswitch status` stays fast enough for a shell prompt.
"""

from __future__ import annotations

import sys

from roleswitch import __version__
from roleswitch.core.errors import RoleswitchError, TargetNotFound

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_EXPIRED = 3
EXIT_NO_SESSION = 4


TYPE_CHECKING = False  # argparse and typing are imported only when needed: see status
if TYPE_CHECKING:
    import argparse
    from typing import NoReturn


def build_parser() -> argparse.ArgumentParser:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
            self.exit(EXIT_USAGE, usage_line(message))

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

    assume = add(
        "assume",
        "Assume a role and write it as the active profile (or the target's own profile, or --profile).",
    )
    assume.add_argument(
        "target", nargs="?", help="target name (profile name, or ACCOUNT/ROLE); none opens the picker"
    )
    assume.add_argument(
        "--profile",
        metavar="NAME",
        type=_checked(_profile_name),
        help="credentials-file profile to write (default: the target's profile, else active_profile)",
    )
    _add_assume_options(assume)
    _add_region(assume)

    status = add("status", "Show the active session and its time left (for shell prompts).")
    _add_profile(status)
    status.add_argument("--json", action="store_true", help="machine-readable output")
    status.add_argument("--short", action="store_true", help="compact, for prompts: 'prod/Admin 42m'")
    status.add_argument(
        "--all", action="store_true", help="every session roleswitch holds in the credentials file"
    )

    env = add("env", 'Assume a role and print export lines; use: eval "$(roleswitch env T)".')
    env.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    env.add_argument("--shell", choices=("sh", "bash", "zsh", "fish", "powershell"), default="sh")
    env.add_argument("--show", action="store_true", help="print them even to a terminal (the secrets show)")
    _add_assume_options(env)
    _add_region(env)

    process = add(
        "credential-process",
        "Print a role's credentials as JSON for an SDK's credential_process (never prompts).",
    )
    process.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    _add_yes(process, "for a target whose environment asks first: credential-process never asks")

    run = add("exec", "Run a command with a role's credentials in its environment: exec TARGET -- CMD ...")
    run.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    _add_assume_options(run)
    _add_region(run)
    # The command after `--` is split off before argparse sees it (split_exec_command).
    run.usage = (
        "roleswitch exec [-h] [--duration D] [--mfa-code CODE] [--yes] [--region R] TARGET -- COMMAND ..."
    )

    add_profile = add(
        "add-profile", "Write a credential_process profile for a role into ~/.aws/config, for SDKs."
    )
    add_profile.add_argument("target", help="target name (profile name, or ACCOUNT/ROLE)")
    add_profile.add_argument("--name", help="profile name (default: the target name with / as -)")
    _add_yes(add_profile, "for a target whose environment asks first: SDKs assume it without asking")

    remove_profile = add("remove-profile", "Remove a credential_process profile that roleswitch wrote.")
    remove_profile.add_argument("name", help="profile name")

    from roleswitch.discover_command import add_arguments as add_discover_arguments

    discover = add(
        "discover",
        "Refresh what discovery found: the accounts of each organisation, and the accounts and "
        "roles of each signed-in SSO session.",
    )
    add_discover_arguments(discover)

    logout = add(
        "logout", "Forget cached MFA sessions and role credentials; the next MFA role asks for a code."
    )
    logout.add_argument(
        "--sso",
        nargs="?",
        const="",
        metavar="SESSION",
        help="instead, sign out of IAM Identity Center: every signed-in SSO session, or SESSION",
    )

    from roleswitch.sso_command import add_arguments as add_login_arguments

    login = add(
        "login", "Sign in to IAM Identity Center (SSO) with a code, then list its accounts and roles."
    )
    add_login_arguments(login)

    clear = add("clear", "Remove the active profile from the credentials file (only if roleswitch wrote it).")
    _add_profile(clear)

    from roleswitch.console_command import add_arguments as add_console_arguments

    console = add("console", "Open the AWS console signed in as the active session, or as TARGET.")
    add_console_arguments(console, _checked)

    from roleswitch.serve.arguments import add_arguments as add_serve_arguments

    serve = add("serve", "Serve a role's credentials to SDKs on 127.0.0.1: serve TARGET [-- COMMAND ...]")
    add_serve_arguments(serve, _checked, _add_assume_options)

    demo = add("demo", "Open the app on a sandbox with a local STS endpoint; touches nothing of yours.")
    demo.add_argument(
        "--dir", help="keep the sandbox in this folder (a new or empty one, or an earlier demo's)"
    )
    demo.add_argument(
        "--shell",
        action="store_true",
        help="no app: run the sandbox and print the export lines that point another terminal at it, "
        "until Ctrl-C",
    )
    return parser


def _add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        metavar="NAME",
        type=_checked(_profile_name),
        help="credentials-file profile to use (default: active_profile)",
    )


def _profile_name(name: str) -> str:
    """A profile name a section can hold: checked while parsing, so a bad one is a usage
    error (exit 2) like every other bad option value."""
    from roleswitch.core.credentials_file import CHOOSE_ANOTHER, check_section_name
    from roleswitch.core.errors import ValidationError

    try:
        check_section_name(name)
    except RoleswitchError as error:  # said of this option, not of the active profile
        raise ValidationError(str(error).replace(CHOOSE_ANOTHER, "choose another name.")) from None
    return name


def _add_yes(parser: argparse.ArgumentParser, help_text: str = "") -> None:
    parser.add_argument(
        "--yes",
        action="store_true",
        help=help_text or "assume a target whose environment asks first (e.g. production) without asking",
    )


def _add_region(parser: argparse.ArgumentParser) -> None:
    from roleswitch.core.regions import check_region

    parser.add_argument(
        "--region",
        metavar="R",
        type=_checked(check_region),
        help="the session's region, written as `region` and exported (default: the role's)",
    )


def _add_assume_options(parser: argparse.ArgumentParser) -> None:
    from roleswitch.core import validate

    # Checked while parsing: a bad value is a usage error (exit 2) and never costs an STS call.
    parser.add_argument(
        "--duration",
        metavar="D",
        type=_checked(validate.duration),
        help="session length: seconds, or like 1h, 90m",
    )
    parser.add_argument(
        "--mfa-code",
        metavar="CODE",
        type=_checked(validate.mfa_code),
        help="6-digit MFA code (prompted for on a TTY)",
    )
    _add_yes(parser)


def _checked(check):
    """An argparse `type` from a validate function: its sentence becomes the usage error."""
    import argparse

    def convert(text: str):
        try:
            return check(text)
        except RoleswitchError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = check.__name__
    return convert


def usage_line(message: str) -> str:
    """One line for a usage error; a sentence's full stop gives way to the pointer to --help."""
    if message.endswith(".") and not message.endswith("..."):
        message = message[:-1]
    return f"roleswitch: {message} (see roleswitch --help)\n"


def split_exec_command(words: list[str]) -> tuple[list[str], list[str] | None]:
    """For `exec`, the words before the first `--`, and the command after it, verbatim.

    argparse's REMAINDER would take `exec T --duration 1h -- cmd` as the command
    `--duration 1h -- cmd`; splitting first lets options sit before `--`, as documented.
    """
    first = next((word for word in words if not word.startswith("-")), None)
    if first not in ("exec", "serve") or "--" not in words[words.index(first) :]:
        return words, None
    cut = words.index("--", words.index(first))
    return words[:cut], words[cut + 1 :]


def main(argv: list[str] | None = None) -> int:
    """The entry point. Ctrl-C anywhere from here on is one line and exit 130.

    The `try` is the first statement: an interrupt during the imports each
    command does (textual, boto3) once printed a traceback.
    """
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        _ignore_further_interrupts()
        print("roleswitch: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`roleswitch list | head`): nothing left to say, to anyone.
        # Point stdout at /dev/null so the interpreter's last flush does not fail again.
        import contextlib
        import os

        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _ignore_further_interrupts() -> None:
    import _signal  # the C module: `signal` itself imports enum, too slow for a prompt

    _signal.signal(_signal.SIGINT, _signal.SIG_IGN)


def _main(words: list[str]) -> int:
    if words[:1] == ["status"]:
        quick = quick_status_args(words[1:])
        if quick is not None:
            return _run(cmd_status, quick)
    process = quick_credential_process_args(words)
    if process is not None:
        answered = _run(lambda _: _quick_credential_process(*process), None)
        if answered is not None:
            return answered
    quick_assume = quick_assume_args(words)
    if quick_assume is not None:
        return _run(cmd_assume, quick_assume)
    words, command = split_exec_command(words)
    if command is None and "exec" in words[:1] and not {"-h", "--help"} & set(words):
        sys.stderr.write(usage_line("exec needs the command after --: roleswitch exec TARGET -- COMMAND ..."))
        return EXIT_USAGE
    args = build_parser().parse_args(words)
    if args.command in ("exec", "serve"):
        args.argv = command
    handlers = {
        None: run_app,
        "list": cmd_list,
        "assume": cmd_assume,
        "status": cmd_status,
        "env": cmd_env,
        "clear": cmd_clear,
        "credential-process": cmd_credential_process,
        "exec": cmd_exec,
        "add-profile": cmd_add_profile,
        "remove-profile": cmd_remove_profile,
        "logout": cmd_logout,
        "login": cmd_login,
        "discover": cmd_discover,
        "demo": cmd_demo,
        "console": cmd_console,
        "serve": cmd_serve,
    }
    return _run(handlers[args.command], args)


def _run(handler, args) -> int:
    try:
        return handler(args)
    except RoleswitchError as error:
        print(f"roleswitch: {error}", file=sys.stderr)
        return EXIT_FAILURE


# --- commands ---------------------------------------------------------------


def _catalogue():
    # Cached: credential-process runs for every client an SDK builds.
    from roleswitch.core.catalogue_cache import load_catalogue_cached

    catalogue = load_catalogue_cached()
    for problem in catalogue.problems:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    return catalogue


def _find(catalogue, name: str):
    target = catalogue.find(name)
    if target is None:
        from roleswitch.core.suggestions import similar_names

        similar = similar_names(name, [t.name for t in catalogue.targets])
        hint = f"did you mean {', '.join(similar)}? Run" if similar else "run"
        raise TargetNotFound(f"No target named '{name}'; {hint} `roleswitch list` to see them all.")
    return target


def cmd_list(args: argparse.Namespace) -> int:
    import json
    import os

    from roleswitch.core.clock import SystemClock, format_left, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile
    from roleswitch.core.regions import effective_region, profile_regions

    catalogue = _catalogue()
    regions = profile_regions()

    def region_of(target) -> tuple[str, str | None]:
        return effective_region(target, regions, os.environ)

    profile = catalogue.settings.active_profile
    active = CredentialsFile().read_active(profile)
    now = SystemClock().now()
    left = seconds_left(active.expiration, now) if active is not None and active.expiration else None

    def is_active(target) -> bool:
        return active is not None and active.target_name == target.name

    usage = _usage()

    def environment_of(target) -> str | None:
        environment = catalogue.environment_of(target)
        return environment.name if environment is not None else None

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
                        "region": region_of(t)[0],
                        "region_from": region_of(t)[1],
                        "mfa": t.needs_mfa,
                        "origin": t.origin,
                        "sso_session": t.sso_session,
                        "valid": t.valid,
                        "problem": t.problem,
                        "active": is_active(t),
                        "seconds_left": left if is_active(t) else None,
                        "environment": environment_of(t),
                        "tags": list(t.tags),
                        "profile": t.profile,
                        "pinned": usage is not None and usage.is_pinned(t.name),
                    }
                )
        print(json.dumps(out, indent=2))
        for note in catalogue.notes:
            print(f"roleswitch: note: {note}", file=sys.stderr)
        return EXIT_OK
    if not catalogue.targets:
        print(
            "No roles configured. Add role profiles to ~/.aws/config or accounts to "
            "roleswitch's config (see README), or try `roleswitch demo`."
        )
        for note in catalogue.notes:
            print(f"Note: {note}")
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
            if usage is not None and usage.is_pinned(t.name):
                extra.append("pinned")
            if environment_of(t):
                extra.append(f"env={environment_of(t)}")
            if t.tags:
                extra.append("tags=" + ",".join(t.tags))
            if t.profile:
                extra.append(f"profile=[{t.profile}]")
            if t.needs_mfa:
                extra.append("MFA")
            if is_active(t) and left is not None:
                extra.append(f"active in [{profile}], {format_left(left)}" + (" left" if left > 0 else ""))
            region, origin = region_of(t)
            if origin == "default":
                region += " (default)"
            elif origin:
                region += f" (from {origin})"
            print(
                f"  {mark} {t.name:<{width}}  {t.role_name:<16} source={t.source_label:<12} "
                f"region={region:<14} {'  '.join(extra)}".rstrip()
            )
    for note in catalogue.notes:
        print(f"Note: {note}")
    return EXIT_OK


def _usage():
    """The pins (core/usage.py); None when they cannot be read, which `list` only notes."""
    try:
        from roleswitch.core.usage import UsageStore

        usage = UsageStore().load()
    except Exception:  # pins only decorate the list: never fail it
        return None
    if usage.problem:
        print(f"roleswitch: note: {usage.problem}", file=sys.stderr)
    return usage


def _assume(args: argparse.Namespace, *, writes: bool):
    """Find the target, check the profile it will go to, ask for MFA, call STS.

    Shared by assume, env and exec; returns (profile to write or None, result, settings).
    """
    from roleswitch.core.assume_flow import assume_with_mfa
    from roleswitch.core.credentials_file import CHOOSE_ANOTHER, CredentialsFile
    from roleswitch.core.errors import WriteRefused
    from roleswitch.core.mfa_sessions import MfaSessionStore
    from roleswitch.core.sts import StsClient

    catalogue = _catalogue()
    target = _find(catalogue, args.target)
    check_profile = None
    if writes:
        check_profile = args.profile or target.profile or catalogue.settings.active_profile
        try:
            CredentialsFile().check_writable(check_profile, source_profile=target.source_profile)
        except WriteRefused as refused:
            if args.profile or not target.profile:
                raise
            raise WriteRefused(  # the profile is the target's own, not the active profile
                str(refused).replace(
                    CHOOSE_ANOTHER,
                    f'{target.name} goes there because of its profile = "{target.profile}" in '
                    "roleswitch's config; change that, or pass --profile NAME.",
                )
            ) from None
    _confirm(catalogue, target, args)
    if getattr(args, "region", None):
        from roleswitch.core.regions import unknown_region_note

        note = unknown_region_note(args.region, target.role_arn)
        if note:
            print(f"roleswitch: note: {note}", file=sys.stderr)
    store = MfaSessionStore()
    result = assume_with_mfa(
        target,
        catalogue.settings,
        StsClient(mfa_sessions=store),
        store,
        _ask_mfa_code,
        code=args.mfa_code,
        duration=args.duration,
    )
    if getattr(args, "region", None):
        import dataclasses

        result = dataclasses.replace(result, region=args.region)
    if not writes:
        record_use(target)  # assume counts it once the profile is written
    return check_profile, result, catalogue.settings


def _confirm(catalogue, target, args, **how) -> None:
    """For a target whose environment asks first: `--yes`, or a y/N answer on the terminal;
    else one sentence naming --yes (see core/confirmation.py). Before any STS call."""
    from roleswitch.core.confirmation import confirm

    confirm(catalogue, target, yes=args.yes, stdin=sys.stdin, stderr=sys.stderr, **how)


def record_use(target) -> None:
    """Count a use of `target` for the app's Recent group; never fails the command."""
    import contextlib

    with contextlib.suppress(Exception):
        from roleswitch.core.clock import SystemClock
        from roleswitch.core.usage import UsageStore

        UsageStore().record_use(target.name, SystemClock().now())


MFA_TRIES = 3


def _ask_mfa_code(target, reason: str | None) -> str | None:
    """The code typed on the terminal, asked again when mistyped; None at end of input."""
    from roleswitch.core import validate
    from roleswitch.core.errors import ValidationError

    if not sys.stdin.isatty():
        why = reason.rsplit(";", 1)[0] + "; " if reason else ""
        raise RoleswitchError(f"{why}{target.name} needs an MFA code; pass --mfa-code CODE.")
    if reason:
        print(f"roleswitch: {reason}", file=sys.stderr)
    for attempt in range(1, MFA_TRIES + 1):
        again = f" (try {attempt} of {MFA_TRIES})" if attempt > 1 else ""
        sys.stderr.write(f"MFA code for {target.mfa_serial}{again}: ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            return None
        try:
            return validate.mfa_code(line)
        except ValidationError as error:
            print(f"roleswitch: {error}", file=sys.stderr)
    raise ValidationError(
        f"No valid MFA code after {MFA_TRIES} tries; run the command again and type the 6 digits "
        f"from {target.mfa_serial}."
    )


def cmd_assume(args: argparse.Namespace) -> int:
    from roleswitch.core.clock import SystemClock, format_left, format_local, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile

    if args.target is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            return run_app(args)  # the picker is the app
        sys.stderr.write(usage_line("assume needs a TARGET when not on a terminal (see roleswitch list)"))
        return EXIT_USAGE
    profile, result, settings = _assume(args, writes=True)
    writer = CredentialsFile()
    writer.write(profile, result)
    record_use(result.target)
    own = args.profile is None and result.target.profile == profile
    warning = writer.permission_warning()
    if warning:
        print(f"roleswitch: warning: {warning}", file=sys.stderr)
    expiry = result.credentials.expiration
    left = seconds_left(expiry, SystemClock().now())
    if result.target.is_sso:  # the portal names no role ARN; one made up here would mislead
        target = result.target
        where = f"{target.account_id} from IAM Identity Center ({target.sso_session})"
        print(f"Got {target.role_name} in {where}")
    else:
        print(f"Assumed {result.assumed_arn}")
    whose = f" ({result.target.name}'s own profile)" if own else ""
    print(
        f"Profile [{profile}]{whose} in {writer.path} holds it until {format_local(expiry)} "
        f"({format_left(left)} left)."
    )
    if profile != settings.active_profile:
        print(f"Use it with AWS_PROFILE={profile} (or --profile {profile}).")
    return EXIT_OK


def _settings():
    from roleswitch.core.catalogue import load_settings

    settings, problems = load_settings()
    for problem in problems:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    return settings


def cmd_status(args: argparse.Namespace) -> int:
    """Kept lean: a shell prompt runs it before every command line (see core/status.py)."""
    if args.all:
        return _status_all(args)
    from roleswitch.core.clock import SystemClock, format_left, format_local, seconds_left
    from roleswitch.core.status import active_profile, read_session

    profile = args.profile
    if profile is None:
        profile, problems = active_profile()
        for problem in problems:
            print(f"roleswitch: warning: {problem}", file=sys.stderr)
    active = read_session(profile)
    expiration = active["expiration"] if active else None
    if active is None or expiration is None:
        if args.short:
            return EXIT_NO_SESSION
        if args.json:
            import json

            print(json.dumps({"profile": profile, "state": "none"}))
        else:
            print(f"No active session in [{profile}].")
        return EXIT_NO_SESSION
    left = seconds_left(expiration, SystemClock().now())
    role_arn = active["role_arn"] or ""
    account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
    state = "active" if left > 0 else "expired"
    name = active["target_name"]
    if args.short:
        print(f"{name or 'aws'} {left // 60}m" if left > 0 else f"{name or 'aws'} expired")
    elif args.json:
        import json

        print(
            json.dumps(
                {
                    "profile": profile,
                    "state": state,
                    "target": name,
                    "role_arn": active["role_arn"],
                    "account_id": account,
                    "assumed_arn": active["assumed_arn"],
                    "expiration": expiration.isoformat().replace("+00:00", "Z"),
                    "seconds_left": left,
                }
            )
        )
    else:
        what = f"{name or active['role_arn']} ({account})" if account else name
        if left > 0:
            print(f"{what} in [{profile}]: {format_left(left)} left, until {format_local(expiration)}.")
        else:
            print(f"{what} in [{profile}]: {format_left(left)}.")
    return EXIT_OK if left > 0 else EXIT_EXPIRED


def _status_all(args: argparse.Namespace) -> int:
    """`status --all`: every session roleswitch holds, with its environment and region."""
    import json

    from roleswitch.core.clock import SystemClock, format_left, seconds_left
    from roleswitch.core.credentials_file import CredentialsFile
    from roleswitch.core.status import active_profile

    if args.short or args.profile:
        sys.stderr.write(usage_line("status --all lists every profile; it takes no --short or --profile"))
        return EXIT_USAGE
    reader = CredentialsFile()
    sessions = reader.sessions()
    profile, problems = active_profile()
    for problem in problems:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    catalogue = _catalogue() if sessions else None
    now = SystemClock().now()
    rows = []
    for session in sessions:
        left = seconds_left(session.expiration, now) if session.expiration else None
        target = catalogue.find(session.target_name or "") if catalogue else None
        environment = catalogue.environment_of(target) if catalogue and target else None
        rows.append((session, left, environment.name if environment else None))
    if args.json:
        print(json.dumps([_session_json(s, left, env, s.profile == profile) for s, left, env in rows]))
    elif not rows:
        print(f"No sessions of roleswitch's in {reader.path}.")
    else:
        table = [("", "PROFILE", "TARGET", "ENVIRONMENT", "REGION", "LEFT")]
        for session, left, environment in rows:
            table.append(
                (
                    "*" if session.profile == profile else "",
                    session.profile,
                    session.target_name or "-",
                    environment or "-",
                    session.region or "-",
                    "-" if left is None else f"{format_left(left)} left" if left > 0 else format_left(left),
                )
            )
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        for line in table:
            print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    if not rows:
        return EXIT_NO_SESSION
    return EXIT_OK if any(left is not None and left > 0 for _, left, _ in rows) else EXIT_EXPIRED


def _session_json(session, left: int | None, environment: str | None, active: bool) -> dict:
    role_arn = session.role_arn or ""
    expiration = session.expiration
    return {
        "profile": session.profile,
        "active_profile": active,
        "state": "unknown" if left is None else "active" if left > 0 else "expired",
        "target": session.target_name,
        "environment": environment,
        "region": session.region,
        "role_arn": session.role_arn,
        "account_id": role_arn.split(":")[4] if role_arn.count(":") >= 5 else "",
        "assumed_arn": session.assumed_arn,
        "expiration": expiration.isoformat().replace("+00:00", "Z") if expiration else None,
        "seconds_left": left,
    }


class StatusArgs:
    """`status` options, parsed without argparse: importing it costs a shell prompt 3 ms."""

    def __init__(self) -> None:
        self.profile: str | None = None
        self.json = False
        self.short = False
        self.all = False  # `--all` is left to argparse: not a prompt's form


def quick_status_args(rest: list[str]) -> StatusArgs | None:
    """The options of `status` in the forms people type, exactly as argparse reads them;
    None for anything else (abbreviations, `--`, help, mistakes): argparse then decides.

    `--profile VALUE` takes VALUE only when argparse would (it does not start with `-`) and
    it is a plain profile name; anything else is argparse's, which says why (exit 2).
    """
    args = StatusArgs()
    at = 0
    while at < len(rest):
        word = rest[at]
        if word == "--json":
            args.json = True
        elif word == "--short":
            args.short = True
        elif word == "--profile":
            value = rest[at + 1] if at + 1 < len(rest) else ""
            if not value or value.startswith("-") or not _plain_profile(value):
                return None
            args.profile = value
            at += 1
        elif word.startswith("--profile=") and _plain_profile(word[len("--profile=") :]):
            args.profile = word[len("--profile=") :]
        else:
            return None
        at += 1
    return args


def cmd_env(args: argparse.Namespace) -> int:
    import shlex

    from roleswitch.core.exports import export_lines

    if sys.stdout.isatty() and not args.show:
        # The lines are for a shell to read; on a screen the secret key and token would be
        # shown (and kept by scrollback and recordings). Refused before any STS call.
        sys.stderr.write(
            usage_line(
                "env prints the secret key and session token for a shell to read: run "
                f'eval "$(roleswitch env {shlex.quote(args.target)})", or add --show to print them here.'
            )
        )
        return EXIT_USAGE
    _, result, _ = _assume(args, writes=False)
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


def quick_credential_process_args(words: list[str]) -> tuple[str, bool] | None:
    """(TARGET, --yes) for `credential-process TARGET [--yes]` (either order), the forms a
    profile's command has; None for anything else, which argparse reads."""
    if words[:1] != ["credential-process"] or len(words) not in (2, 3):
        return None
    rest = words[1:]
    yes = "--yes" in rest
    if yes:
        rest.remove("--yes")
    if len(rest) != 1 or rest[0].startswith("-"):
        return None
    return rest[0], yes


class AssumeArgs:
    """`assume` options, parsed without argparse (see quick_assume_args)."""

    def __init__(self, target: str) -> None:
        self.command = "assume"
        self.target = target
        self.profile: str | None = None
        self.duration: int | None = None
        self.mfa_code: str | None = None
        self.yes = False
        self.region: str | None = None


def _plain_profile(name: str) -> bool:
    """A name the fast path can take as it is; anything else goes to argparse, which says why."""
    from roleswitch.core.ini import section_name_problem  # status and assume import it anyway

    return section_name_problem(name) is None


def quick_assume_args(words: list[str]) -> AssumeArgs | None:
    """`assume TARGET [--profile NAME] [--yes]` (any order), the forms scripts and people
    type, read exactly as argparse reads them; None for anything else (other options,
    abbreviations, `--`, help, a repeated word), which argparse then reads. Importing
    argparse and building the parser cost `assume` about 14 ms, 6% of a whole assume."""
    if words[:1] != ["assume"] or not 2 <= len(words) <= 5:
        return None
    target: str | None = None
    profile: str | None = None
    yes = False
    rest = words[1:]
    at = 0
    while at < len(rest):
        word = rest[at]
        if word == "--yes" and not yes:
            yes = True
        elif word == "--profile" and profile is None:
            value = rest[at + 1] if at + 1 < len(rest) else ""
            if not value or value.startswith("-") or not _plain_profile(value):
                return None
            profile = value
            at += 1
        elif word.startswith("--profile=") and _plain_profile(word[len("--profile=") :]) and profile is None:
            profile = word[len("--profile=") :]
        elif word and not word.startswith("-") and target is None:
            target = word
        else:
            return None
        at += 1
    if target is None:
        return None
    args = AssumeArgs(target)
    args.profile, args.yes = profile, yes
    return args


def _quick_credential_process(name: str, yes: bool) -> int | None:
    """A cache hit without argparse or the catalogue (see core/credential_process.py); None
    when the full path must answer."""
    from roleswitch.core.credential_process import answer_from_cache

    answer = answer_from_cache(name, yes=yes)
    if answer is None:
        return None
    line, warnings = answer
    for problem in warnings:
        print(f"roleswitch: warning: {problem}", file=sys.stderr)
    print(line)
    return EXIT_OK


def cmd_credential_process(args: argparse.Namespace) -> int:
    """JSON on stdout and nothing else; the decision is core/credential_process.py's."""
    import json

    from roleswitch.core.credential_process import (
        check_confirmed,
        credentials_for_sdk,
        input_stamp,
        remember_answer,
    )
    from roleswitch.core.secret_cache import credentials_to_json

    stamp = input_stamp()  # before the files are read: an edit during the load voids it
    catalogue = _catalogue()
    target = _find(catalogue, args.target)
    check_confirmed(catalogue, target, yes=args.yes)
    credentials = credentials_for_sdk(target, catalogue.settings)
    print(json.dumps({"Version": 1, **credentials_to_json(credentials)}))
    remember_answer(args.target, stamp, catalogue, target)
    return EXIT_OK


def cmd_exec(args: argparse.Namespace) -> int:
    """Replace this process with the command, so its exit status and signals are its own."""
    import os

    from roleswitch.core.credentials_file import format_expiration
    from roleswitch.core.environment import CREDENTIAL_CHOOSERS

    command = list(args.argv or ())
    if not command:
        sys.stderr.write(usage_line("exec needs the command after --: roleswitch exec TARGET -- COMMAND ..."))
        return EXIT_USAGE
    _, result, _ = _assume(args, writes=False)
    target = result.target
    creds = result.credentials
    # Anything that would make the command pick other credentials than the role's.
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_CHOOSERS}
    env.update(
        {
            "AWS_ACCESS_KEY_ID": creds.access_key_id,
            "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
            "AWS_SESSION_TOKEN": creds.session_token,
            "AWS_CREDENTIAL_EXPIRATION": format_expiration(creds.expiration),
            "AWS_REGION": result.region,
            "AWS_DEFAULT_REGION": result.region,
            "ROLESWITCH_TARGET": target.name,
        }
    )
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, env)
    except FileNotFoundError:
        print(f"roleswitch: command not found: {command[0]}", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"roleswitch: cannot run {command[0]}: permission denied", file=sys.stderr)
        return 126
    return EXIT_FAILURE  # not reached: execvpe only returns by raising


def cmd_add_profile(args: argparse.Namespace) -> int:
    from roleswitch.core.errors import NameTaken, WriteRefused
    from roleswitch.core.sdk_profiles import SdkProfiles, default_profile_name

    catalogue = _catalogue()
    target = _find(catalogue, args.target)
    name = args.name or default_profile_name(target)
    profiles = SdkProfiles()
    # Asked once here; the profile's command then carries --yes, so SDKs keep working.
    _confirm(catalogue, target, args, verb="Let SDKs assume", did="no profile was written")
    yes = catalogue.needs_confirmation(target)
    try:
        command = profiles.add(name, target, active_profile=catalogue.settings.active_profile, yes=yes)
    except NameTaken as taken:
        raise WriteRefused(taken.remedy("choose another name (--name NAME)")) from None
    print(f"Wrote [profile {name}] to {profiles.config_path}:")
    print(f"  credential_process = {command}")
    print(f"Use it with AWS_PROFILE={name} (or --profile {name}); SDKs refresh it on their own.")
    return EXIT_OK


def cmd_remove_profile(args: argparse.Namespace) -> int:
    from roleswitch.core.sdk_profiles import SdkProfiles

    profiles = SdkProfiles()
    if profiles.remove(args.name):
        print(f"Removed [profile {args.name}] from {profiles.config_path}.")
    else:
        print(f"Nothing to remove: there is no profile '{args.name}' in {profiles.config_path}.")
    return EXIT_OK


def cmd_login(args: argparse.Namespace) -> int:
    from roleswitch.sso_command import run_login

    return run_login(args)


def cmd_discover(args: argparse.Namespace) -> int:
    from roleswitch.discover_command import run_discover

    return run_discover(args)


def cmd_logout(args: argparse.Namespace) -> int:
    from roleswitch.core.mfa_sessions import forget_cached_credentials
    from roleswitch.sso_command import run_logout, sso_sign_ins_note

    if args.sso is not None:
        return run_logout(args.sso or None)
    sessions, roles = forget_cached_credentials()
    print(
        f"Forgot {sessions} MFA session{'s' if sessions != 1 else ''} and {roles} cached role "
        f"credential{'s' if roles != 1 else ''}; the next MFA role asks for a code."
    )
    note = sso_sign_ins_note()
    if note:
        print(note)
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    from roleswitch.ui.launch import launch  # imports no Textual until it paused the collector

    return launch()


def cmd_console(args: argparse.Namespace) -> int:
    from roleswitch.console_command import run_console

    return run_console(args, _catalogue(), _find, _ask_mfa_code)


def cmd_serve(args: argparse.Namespace) -> int:
    from roleswitch.serve.command import run as run_serve

    return run_serve(args, _catalogue(), _find, _ask_mfa_code)


def cmd_demo(args: argparse.Namespace) -> int:
    from roleswitch.demo import run_demo

    return run_demo(args.dir, shell=args.shell)
