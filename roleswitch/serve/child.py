"""The command run under `roleswitch serve -- COMMAND`: its environment, its signals, its end.

botocore's chain reads environment keys, then `AWS_PROFILE`'s role or keys, then
the shared files (a `[default]` with long-term keys wins there), and only then the
container provider. So the command gets no AWS key and no profile variable, and
`AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE` and `BOTO_CONFIG` point at the
empty device: the server is the only credentials it can find. The region, which
the config file would have given, is set explicitly. Endpoint variables stay.

SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 sent to roleswitch are passed to the command,
which decides what to do; roleswitch stops when it does, with its status (or dies of
the same signal). Ctrl-C and Ctrl-\\ reach the command from the terminal itself (the
whole foreground group gets them), so roleswitch ignores them rather than deliver
them twice.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence

from roleswitch.core.environment import CREDENTIAL_CHOOSERS

# Other ways to choose credentials that the container provider itself reads first.
CONTAINER_OVERRIDES = (
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",  # botocore prefers it to the full URI
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",  # and the file to the token
    "AWS_CREDENTIAL_FILE",  # the old EC2 tools' file, in botocore's chain too
)
FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
KEYBOARD_SIGNALS = (signal.SIGINT, signal.SIGQUIT)


def child_environment(
    environ: Mapping[str, str], served: Mapping[str, str], region: str, target_name: str
) -> dict[str, str]:
    """The command's environment: the server's two variables, and nothing that outranks them."""
    dropped = set(CREDENTIAL_CHOOSERS) | set(CONTAINER_OVERRIDES)
    env = {key: value for key, value in environ.items() if key not in dropped}
    env.update(
        {
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_CONFIG_FILE": os.devnull,
            "BOTO_CONFIG": os.devnull,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "ROLESWITCH_TARGET": target_name,
            **served,
        }
    )
    return env


def run_command(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run `command` until it ends; its return code (-N if signal N ended it).
    Signals to roleswitch go to it meanwhile."""
    try:
        process = subprocess.Popen(list(command), env=dict(env))
    except FileNotFoundError:
        raise CommandNotStarted(127, f"command not found: {command[0]}") from None
    except PermissionError:
        raise CommandNotStarted(126, f"cannot run {command[0]}: permission denied") from None
    except OSError as error:
        raise CommandNotStarted(126, f"cannot run {command[0]}: {error.strerror or error}") from None

    def forward(number: int, frame: object) -> None:
        with contextlib.suppress(OSError):  # it has just ended
            process.send_signal(number)

    previous = {number: signal.signal(number, forward) for number in FORWARDED_SIGNALS}
    previous.update({number: signal.signal(number, signal.SIG_IGN) for number in KEYBOARD_SIGNALS})
    try:
        status = process.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return status


class CommandNotStarted(Exception):
    """The command could not be started: `status` is the shell's (127, 126)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
