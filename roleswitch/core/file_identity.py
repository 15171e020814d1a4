"""Knowing that files have not changed without reading them: for the fast paths of
`status` and `credential-process`, which a shell prompt or an SDK runs again and again.

A file's identity is its device, inode, size, mtime and ctime. An edit changes the
ctime at least (a tool that restores the mtime cannot restore the ctime), and an
atomic replace changes the inode. The one gap is the clock's tick: a file written
twice within one timestamp tick, at the same size, keeps its identity. So an
answer is remembered against identities only when every file is `SETTLED_NS` old:
any later edit then gets a newer timestamp. Imports nothing heavier than `os`.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable

# A file changed this recently may change again within the same timestamp tick (on
# some file systems a tick is up to two seconds): nothing is remembered against it.
SETTLED_NS = 2_000_000_000


def identities(paths: Iterable[str]) -> tuple[str, bool] | None:
    """One string naming each file's identity (or that it is missing), and whether all
    of them are settled; None when a file cannot even be looked at."""
    now = time.time_ns()
    settled = True
    parts = []
    for path in paths:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            parts.append(f"{path}:missing")
            continue
        except OSError:
            return None
        parts.append(
            f"{path}:{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
        )
        settled = settled and now - max(info.st_mtime_ns, info.st_ctime_ns) >= SETTLED_NS
    return "\0".join(parts), settled


def plainly_private(folder: str) -> bool:
    """True when `folder` is a folder of ours closed to others, the case in which
    `private_folder.cache_folder_problem` trusts it without changing anything. Anything
    else (missing, a symlink, open to others, another user's, no uids) is left to the
    full path, which says or fixes what is wrong. Stricter than the full check, and
    without pathlib, which costs a fast path more than everything else it does."""
    geteuid = getattr(os, "geteuid", None)
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (
        geteuid is not None
        and stat.S_ISDIR(info.st_mode)
        and info.st_uid == geteuid()
        and not stat.S_IMODE(info.st_mode) & 0o077
    )


def read_ours(path: str) -> bytes | None:
    """The bytes of `path` if it is a regular file of ours (never through a symlink, never
    blocking on a FIFO); None otherwise."""
    from roleswitch.core.regular_file import read_regular_file

    try:
        return read_regular_file(path, follow_symlinks=False, owner=os.geteuid())
    except OSError:
        return None
