"""Read a file only if it is a regular file, and never block doing so.

A FIFO at a path roleswitch reads would hang every command (a shell prompt
too) until someone writes to it; a device such as /dev/null reads as empty and
would then be "replaced" by a file holding the secrets. So the file is opened
with O_NONBLOCK (opening a FIFO then returns at once) and its type is checked
on the open descriptor, which no one can swap afterwards.

Imports nothing beyond `os`: `roleswitch status` uses it in shell prompts.
"""

from __future__ import annotations

import errno
import os
import stat

_KINDS = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISLNK, "a symlink"),
)


class NotRegularFile(OSError):
    """The path exists but is not a regular file; `kind` says what it is."""

    def __init__(self, path: object, kind: str) -> None:
        super().__init__(errno.EINVAL, f"it is {kind}, not a regular file", str(path))
        self.kind = kind


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words: "a FIFO", "a character device"..."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    return "a directory" if stat.S_ISDIR(mode) else "not a regular file"


def read_regular_file(
    path: str | os.PathLike[str], *, follow_symlinks: bool = True, owner: int | None = None
) -> bytes:
    """The bytes of `path`, which must be a regular file (through symlinks if
    `follow_symlinks`) owned by `owner` when given.

    Raises FileNotFoundError, IsADirectoryError, NotRegularFile (also for a symlink
    when not following), PermissionError (also for a file of another owner), or any
    other OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise NotRegularFile(path, "a symlink") from None
        raise
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, kind_of(info.st_mode))
        if owner is not None and info.st_uid != owner:
            raise PermissionError(errno.EPERM, f"it belongs to another user (uid {info.st_uid})", str(path))
        chunks = []
        while chunk := os.read(fd, max(info.st_size + 1, 65536)):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
