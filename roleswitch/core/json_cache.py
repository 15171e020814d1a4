"""Small JSON files in roleswitch's cache folder, trusted only when the folder and file are.

The folder is used only under `cache_folder_problem`'s rules (ours, closed to others,
made 0700 if missing); a file is read only if it is a regular file of ours that no one
else may write, never through a symlink; it is written atomically, 0600. Any doubt reads as "no cache":
the caller asks AWS again, nothing worse happens.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.guarded_file import atomic_write
from roleswitch.core.private_folder import cache_folder_problem, effective_uid
from roleswitch.core.regular_file import read_regular_file


class JsonCache:
    """JSON documents by file name in roleswitch's cache folder (or `folder`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path:
        return self._folder or paths.cache_dir()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.folder)!r})"

    def read(self, name: str) -> object | None:
        """The document in `name`, or None when missing, unreadable, untrusted or not JSON."""
        if not self.trusted(create=False):
            return None
        path = self.folder / name
        try:
            if os.lstat(path).st_mode & 0o022:
                return None  # others could have written it
            return json.loads(read_regular_file(path, follow_symlinks=False, owner=effective_uid()))
        except (OSError, ValueError):
            return None

    def write(self, name: str, document: object) -> bool:
        """False when the folder cannot be trusted or written."""
        if not self.trusted(create=True):
            return False
        with contextlib.suppress(OSError):
            atomic_write(self.folder / name, json.dumps(document).encode("utf-8"), 0o600)
            return True
        return False

    def trusted(self, *, create: bool) -> bool:
        try:
            return cache_folder_problem(self.folder, create=create) is None
        except (OSError, RoleswitchError):
            return False
