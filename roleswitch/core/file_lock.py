"""An exclusive lock between processes, on a lock file next to what it guards.

On POSIX it is `fcntl.flock`, taken with a deadline; the `filelock` package,
which does the same, costs 45 ms to import (a tenth of `roleswitch assume`), so
it is only the fallback where `fcntl` does not exist (Windows). Both lock the
same way, so processes using either exclude each other.

The holder deletes the lock file before letting go, so none is left behind. A
waiter that opened the old file may then win a lock on a deleted file; it sees
that (no links left) and starts over on the new one. A holder killed with
SIGKILL cannot delete it: `remove_abandoned_locks` does, for any lock file
nobody holds, by the same rule (take the lock, unlink, let go).

A lock file is opened with O_NOFOLLOW and must be a regular file: a symlink
planted where the lock goes would otherwise make roleswitch create a file
wherever it points.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterable, Iterator

POLL_SECONDS = 0.02
_FLAGS = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


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
        fd = _open_lock_file(path, os.O_CREAT)
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


def _open_lock_file(path: str, extra_flags: int = 0) -> int:
    """An fd on the regular lock file at `path`, never through a symlink."""
    try:
        fd = os.open(path, _FLAGS | extra_flags, 0o600)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "the lock file is a symlink", path) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "the lock file is not a regular file", path)
    return fd


def remove_abandoned_locks(paths: Iterable[str]) -> int:
    """Delete the lock files among `paths` that nobody holds (their holder was killed);
    a held one is left alone. Returns how many were removed."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return 0
    removed = 0
    for path in paths:
        try:
            fd = _open_lock_file(path)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_nlink:
                os.unlink(path)  # while holding it, as a holder does on its way out
                removed += 1
        except OSError:
            pass  # held by someone: not abandoned
        finally:
            os.close(fd)
    return removed


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
