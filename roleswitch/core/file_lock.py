"""An exclusive lock between processes, on a lock file next to what it guards.

On POSIX it is `fcntl.flock`, taken with a deadline; the `filelock` package,
which does the same, costs 45 ms to import (a tenth of `roleswitch assume`), so
it is only the fallback where `fcntl` does not exist (Windows). Both lock the
same way, so processes using either exclude each other.

The holder deletes the lock file before letting go, so none is left behind. A
waiter that opened the old file may then win a lock on a deleted file; it sees
that (no links left) and starts over on the new one.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

POLL_SECONDS = 0.02


class LockTimeout(Exception):
    """Someone else held the lock past the deadline."""


@contextlib.contextmanager
def exclusive_lock(path: str, timeout: float) -> Iterator[None]:
    """Hold `path` exclusively; raise `LockTimeout` after `timeout` seconds, `OSError` if
    the lock file cannot be created. The lock file is removed on the way out."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield from _filelock(path, timeout)
        return
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise LockTimeout(path) from None
            time.sleep(POLL_SECONDS)
            continue
        except BaseException:
            os.close(fd)
            raise
        if os.fstat(fd).st_nlink == 0:  # the previous holder deleted it: start over
            os.close(fd)
            continue
        break
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)  # while still holding it; see the module's docstring
        os.close(fd)  # closing releases the lock


def _filelock(path: str, timeout: float) -> Iterator[None]:  # pragma: no cover - Windows
    from filelock import FileLock, Timeout

    lock = FileLock(path, timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        raise LockTimeout(path) from None
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock.lock_file)
        lock.release()
