"""`roleswitch serve TARGET [--port N] [--host H] [-- COMMAND ...]`: the decisions behind it.

Order matters: the port is taken first (a busy port never costs an MFA code), then
the first credentials are fetched (asking for a code on the terminal if needed),
and only then is the command started or the variables printed, so a command never
starts without credentials to get.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from roleswitch.core.assume_flow import AskCode
from roleswitch.core.model import Settings, Target
from roleswitch.serve.child import CommandNotStarted, child_environment, run_command
from roleswitch.serve.refresher import Refresher
from roleswitch.serve.server import CredentialServer
from roleswitch.serve.source import RoleSource


def serve(
    target: Target,
    settings: Settings,
    *,
    ask_code: AskCode,
    code: str | None = None,
    duration: int | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    renew_before: int | None = None,
    command: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve the target's credentials; with `command`, until it ends (its status), else
    until SIGINT or SIGTERM (0). Raises `RoleswitchError` with one sentence before serving."""
    out, err = out or sys.stdout, err or sys.stderr

    def log(message: str) -> None:
        print(f"roleswitch serve: {message}", file=err, flush=True)

    source = RoleSource(target, settings, duration=duration)
    refresher = Refresher(source.renew, renew_before=renew_before, log=log)
    server = CredentialServer(refresher.get, host=host, port=port)  # the port first: see above
    try:
        refresher.prime(source.first(ask_code, code))
        server.start()
        refresher.start()
        region = source.region or _region(target)
        if command:
            return _run(command, server, region, target, err)
        return _until_stopped(server, target, out, err)
    finally:
        refresher.stop()
        server.stop()


def _region(target: Target) -> str:
    from roleswitch.core.regions import effective_region, profile_regions

    return effective_region(target, profile_regions(), os.environ)[0]


def _run(command: Sequence[str], server: CredentialServer, region: str, target: Target, err: TextIO) -> int:
    env = child_environment(os.environ, server.environment(), region, target.name)
    try:
        status = run_command(command, env)
    except CommandNotStarted as error:
        print(f"roleswitch: {error}", file=err, flush=True)
        return error.status
    if status < 0:  # the command died of a signal: so does roleswitch, once the server is down
        server.stop()
        err.flush()
        with contextlib.suppress(OSError, ValueError):  # SIGKILL and SIGSTOP have no handler to reset
            signal.signal(-status, signal.SIG_DFL)
        os.kill(os.getpid(), -status)
        return 128 - status  # not reached for signals that kill
    return status


def _until_stopped(server: CredentialServer, target: Target, out: TextIO, err: TextIO) -> int:
    for name, value in server.environment().items():
        print(f"export {name}={shlex.quote(value)}", file=out)
    out.flush()
    print(
        f"roleswitch serve: serving {target.name} on {server.host} port {server.port} until Ctrl-C. "
        "Where a [default] with keys or AWS_PROFILE is set, SDKs use those first: unset AWS_PROFILE "
        "and set AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null there, or use "
        f"`roleswitch serve {target.name} -- COMMAND`.",
        file=err,
        flush=True,
    )
    stopped = threading.Event()
    previous = {
        number: signal.signal(number, lambda *_: stopped.set()) for number in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print(f"roleswitch serve: stopped after answering {server.answered} requests.", file=err, flush=True)
    return 0


def run(args, catalogue, find, ask_code: AskCode) -> int:
    """The command line's entry: `find` and `ask_code` are the CLI's own. A target whose
    environment asks first is confirmed here, once, for the renewals that follow."""
    from roleswitch.core.confirmation import confirm

    target = find(catalogue, args.target)
    confirm(catalogue, target, yes=args.yes, stdin=sys.stdin, stderr=sys.stderr, verb="Serve")
    return serve(
        target,
        catalogue.settings,
        ask_code=ask_code,
        code=args.mfa_code,
        duration=args.duration,
        host=args.host,
        port=args.port,
        renew_before=args.renew_before,
        command=args.argv,
    )
