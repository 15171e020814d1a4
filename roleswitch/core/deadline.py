"""One overall deadline for a network call, whatever the socket does.

botocore's and urllib's read timeouts count per socket read, so an endpoint that
sends one byte every few seconds never trips them. The call runs in a daemon
thread and the caller stops waiting at the deadline: a thread left behind on a
dripping socket cannot keep the process alive, and the person gets one sentence
in time. STS, the federation endpoint and Identity Center all go through here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

_Result = TypeVar("_Result")


def within_deadline(
    call: Callable[[], _Result], deadline: float, late: BaseException, *, name: str = "roleswitch-call"
) -> _Result:
    """`call()`'s result or exception; `late` is raised if it has not finished within
    `deadline` seconds."""
    outcome: list = []
    finished = threading.Event()

    def run() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # handed to the waiting thread below
            outcome.append((False, error))
        finally:
            finished.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    if not finished.wait(deadline):
        raise late
    succeeded, value = outcome[0]
    if not succeeded:
        raise value
    return value
