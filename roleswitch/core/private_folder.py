"""Folders that hold secrets: made private, and trusted only when they are.

Python's `mkdir(parents=True)` makes the parents with the default mode, so
under umask 000 `~/.cache` would come out 0777; here every missing folder is
made 0700 and chmod'ed after, whatever the umask. A cache folder found as it is
may have been made by someone else, or left open: another user could then
plant a credentials file under a name anyone can compute, or a lock symlink
pointing elsewhere. So a cache folder is used only if it belongs to the user;
if it is theirs but open to others, it is closed (0700) and whatever other
users put in it is removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from roleswitch.core.errors import CredentialsFileError


def effective_uid() -> int | None:
    """Who we are; None where the platform has no uids (Windows)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid else None


def ensure_private_folder(folder: Path) -> None:
    """Create `folder` and its missing parents, each 0700; an existing one is left as it is.

    As root (`sudo -E`), a new folder inside another user's folder is given to that
    user, so they are not locked out of their own home."""
    folder = Path(folder)
    if folder.is_dir():
        return
    missing = []
    at = folder
    while not at.exists() and not at.is_symlink() and at != at.parent:
        missing.append(at)
        at = at.parent
    try:
        for new in reversed(missing):
            with contextlib.suppress(FileExistsError):
                os.mkdir(new, 0o700)
                os.chmod(new, 0o700)  # the umask may have taken bits off; never adds any
                _give_to_parents_owner(new)
        if not folder.is_dir():
            os.mkdir(folder, 0o700)  # raises the reason (e.g. a file is in the way)
    except OSError as error:
        raise CredentialsFileError(f"Cannot create the folder {folder} ({error.strerror}).") from None


def _give_to_parents_owner(folder: Path) -> None:
    if effective_uid() != 0:
        return
    parent = os.stat(folder.parent)
    if parent.st_uid != 0:
        os.chown(folder, parent.st_uid, parent.st_gid)


def cache_folder_problem(
    folder: Path, *, create: bool, what: str = "cache folder", variable: str = "ROLESWITCH_CACHE_DIR"
) -> str | None:
    """None if `folder` can hold roleswitch's secrets (made if missing and `create`);
    else why not, as one sentence naming `what` and the `variable` that moves it. A folder
    of ours left open is closed first."""
    folder = Path(folder)
    uid = effective_uid()
    if uid is None:
        if create:
            ensure_private_folder(folder)
        return None
    if not os.path.lexists(folder):
        if not create:
            return None
        owner = _nearest_existing_owner(folder)
        if uid == 0 and owner not in (0, None):
            return _not_ours(folder.parent, owner, what, variable)  # as root: never plant root's files there
        ensure_private_folder(folder)
    try:
        link = os.lstat(folder)
        info = os.stat(folder)
    except OSError as error:
        return f"roleswitch's {what} {folder} cannot be used ({error.strerror}); it was ignored."
    if stat.S_ISLNK(link.st_mode) and link.st_uid not in (uid, 0):
        return _not_ours(folder, link.st_uid, what, variable)
    if not stat.S_ISDIR(info.st_mode):
        return f"roleswitch's {what} {folder} is not a folder; move it aside or set {variable}."
    if info.st_uid != uid:
        return _not_ours(folder, info.st_uid, what, variable)
    if stat.S_IMODE(info.st_mode) & 0o077:
        _close_and_clean(folder, uid)
    return None


def _not_ours(folder: Path, owner: int, what: str, variable: str) -> str:
    return (
        f"roleswitch's {what} {folder} belongs to another user (uid {owner}), so nothing in it "
        f"can be trusted; remove it or set {variable} to a folder of your own."
    )


def _nearest_existing_owner(folder: Path) -> int | None:
    for at in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            return os.stat(at).st_uid
    return None


def _close_and_clean(folder: Path, uid: int) -> None:
    """Our folder was open to others: close it, then drop anything they may have planted."""
    os.chmod(folder, 0o700)
    with os.scandir(folder) as entries:
        for entry in entries:
            with contextlib.suppress(OSError):
                info = entry.stat(follow_symlinks=False)
                if info.st_uid != uid and not stat.S_ISDIR(info.st_mode):
                    os.unlink(entry.path)  # a link itself, never what it points to
