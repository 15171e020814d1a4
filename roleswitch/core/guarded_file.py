"""One text file that several programs edit: read, lock, replace atomically.

Shared by the credentials file, the AWS config file (credential_process
profiles) and the cache. A write is: take the lock, read, change, write a
temporary file in the same folder, fsync, `os.replace` over the real file
(through symlinks, so a link stays a link), fsync the folder, drop the lock.
Any refusal or error leaves the file byte-for-byte untouched.

Only a regular file is read or replaced: a FIFO would hang the read, and a
device (`/dev/null` is a common setting) would be swapped for a file holding
the secrets. A file with several hard links is refused, since the replace
would leave the other names with the old text. As root (`sudo -E`), the new
file keeps the old one's owner; anyone else refuses to replace another user's
file with one of their own.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from roleswitch.core.errors import CredentialsFileError
from roleswitch.core.file_lock import LockTimeout, exclusive_lock
from roleswitch.core.private_folder import effective_uid, ensure_private_folder
from roleswitch.core.regular_file import NotRegularFile, kind_of, read_regular_file

__all__ = ["GuardedFile", "atomic_write", "ensure_private_folder", "holding", "read_regular_file"]

LOCK_TIMEOUT_SECONDS = 10.0


class GuardedFile:
    """`path`, described to the person as `what` (e.g. "credentials file")."""

    def __init__(self, path: Path, what: str, variable: str = "") -> None:
        self.path = Path(path)
        self.what = what
        self.variable = variable  # the environment variable that moves it, for hints

    def __repr__(self) -> str:
        return f"GuardedFile({str(self.path)!r})"

    def read_text(self) -> str | None:
        """The file's text, None if it does not exist; errors become one sentence."""
        data = self._read_bytes()
        return None if data is None else self._decode(data)

    def read_checked_bytes(self) -> bytes | None:
        """The file's bytes, checked to be UTF-8; None if it does not exist."""
        data = self._read_bytes()
        if data is not None and not data.isascii():  # ASCII, the usual case, is UTF-8 already
            self._decode(data)
        return data

    def _read_bytes(self) -> bytes | None:
        try:
            data = read_regular_file(self.path)
        except NotRegularFile as error:
            raise CredentialsFileError(self._not_regular(error.kind)) from None
        except FileNotFoundError:
            if self.path.is_symlink():
                raise CredentialsFileError(
                    f"{self.path} is a symlink to {os.readlink(self.path)}, which does not exist; "
                    "create that file or remove the link."
                ) from None
            return None
        except IsADirectoryError:
            hint = f" or set {self.variable}" if self.variable else ""
            raise CredentialsFileError(
                f"{self.path} is a directory, not a {self.what}; move it aside{hint}."
            ) from None
        except PermissionError:
            raise CredentialsFileError(
                f"{self.path} cannot be read (permission denied); check its owner and mode."
            ) from None
        except OSError as error:
            raise CredentialsFileError(f"{self.path} cannot be read: {error.strerror}.") from None
        return data

    def _not_regular(self, kind: str) -> str:
        hint = f"; set {self.variable} to one" if self.variable else ""
        what = f"roleswitch keeps a {self.what} only in one"
        return f"{self.path} is {kind}, not a regular file, and {what}{hint}."

    def check_replaceable(self) -> None:
        """Raise the one sentence if replacing the file would harm it or its neighbours:
        not a regular file, hard-linked, or another user's. Nothing is created."""
        try:
            info = os.stat(self.path)
        except OSError:
            return  # missing, dangling or unreadable: the read says which
        if not stat.S_ISREG(info.st_mode):
            if stat.S_ISDIR(info.st_mode):
                self.read_text()  # raises the directory sentence
            raise CredentialsFileError(self._not_regular(kind_of(info.st_mode)))
        if info.st_nlink > 1:
            raise CredentialsFileError(
                f"{self.path} has {info.st_nlink} hard links, and replacing it would leave the other "
                "names with the old text; make them symlinks to it (ln -sf) and try again."
            )
        uid = effective_uid()
        if uid not in (None, 0, info.st_uid):
            raise CredentialsFileError(
                f"{self.path} belongs to another user (uid {info.st_uid}); roleswitch will not replace "
                "it with a file of yours: run it as that user."
            )

    def _decode(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CredentialsFileError(
                f"{self.path} is not valid UTF-8 (byte {error.start}); roleswitch will not edit it."
            ) from None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise read-modify-write across processes; leaves no lock file behind."""
        if self.path.is_symlink() and not self.path.exists():
            self.read_text()  # raises the dangling-symlink sentence; nothing is created
        self.check_replaceable()  # before a lock file is made next to a device, say
        real = Path(os.path.realpath(self.path))
        ensure_private_folder(real.parent)
        with locked_beside(real, shown=self.path):
            yield

    def permission_warning(self) -> str | None:
        """A sentence if the existing file is readable or writable by group or others."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and mode & 0o077:
            return f"{self.path} is open to other users (mode {mode:03o}); run: chmod 600 {self.path}"
        return None

    def replace(self, text: str, *, created: bool) -> None:
        """Atomically make the file hold `text`; keeps its mode, 0600 when created."""
        self.replace_bytes(text.encode("utf-8"), created=created)

    def replace_bytes(self, data: bytes, *, created: bool) -> None:
        self.check_replaceable()
        real = Path(os.path.realpath(self.path))
        mode, owner = 0o600, None
        with contextlib.suppress(OSError):
            if created:  # as root, a new file belongs to whoever owns its folder
                folder = os.stat(real.parent)
                owner = (folder.st_uid, folder.st_gid)
            else:
                info = os.stat(real)
                mode, owner = stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid)
        try:
            atomic_write(real, data, mode, owner=owner if effective_uid() == 0 else None)
        except OSError as error:
            reason = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
            raise CredentialsFileError(
                f"Cannot write {self.path} ({reason}); it was left as it was."
            ) from None


@contextlib.contextmanager
def holding(lock_path: str, timeout: float, *, busy: str, unable: Callable[[str], str]) -> Iterator[None]:
    """`exclusive_lock`, with the two ways of not getting it as one sentence each: `busy`
    when someone held it past `timeout`, `unable(reason)` when it cannot be made.
    Errors inside the block are not touched."""
    lock = exclusive_lock(lock_path, timeout)
    try:
        lock.__enter__()
    except LockTimeout:
        raise CredentialsFileError(busy) from None
    except OSError as error:
        raise CredentialsFileError(unable(error.strerror or str(error))) from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@contextlib.contextmanager
def locked_beside(real: Path, *, shown: Path | None = None) -> Iterator[None]:
    """Hold the lock file next to `real` (`.NAME.roleswitch-lock`, gone after), with the
    temporary files a dead writer of `real` left cleaned up first; `shown` is the path the
    sentences name (the one the person gave, before symlinks)."""
    shown = shown or real
    busy = f"Another program has held the lock on {shown} for {LOCK_TIMEOUT_SECONDS:.0f}s; try again."
    with holding(
        str(real.parent / f".{real.name}.roleswitch-lock"),
        LOCK_TIMEOUT_SECONDS,
        busy=busy,
        unable=lambda reason: f"Cannot lock {shown} ({reason}); check the folder's permissions.",
    ):
        remove_stale_temp_files(real)
        yield


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_stale_temp_files(path: Path) -> None:
    """Temporary files of a writer that was killed mid-write. Called with the lock held,
    when no other roleswitch writer can have one open."""
    for stale in path.parent.glob(f"{_temp_prefix(path)}*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def atomic_write(path: Path, data: bytes, mode: int, *, owner: tuple[int, int] | None = None) -> None:
    """Write `data` to `path` so a reader sees the old file or the new one, never half.
    `owner` (uid, gid), for root writing a user's file, is given to the new file first."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
