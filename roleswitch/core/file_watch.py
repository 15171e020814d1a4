"""Has a file (or folder) changed since we last looked? One stat, never a read.

The app's 1 Hz tick asks this of the credentials file and the cache folder, so it
can follow what other terminals do without reading anything while nothing changes.
An atomic replace makes a new inode, so even a write of the same size within the
same clock tick is seen.
"""

from __future__ import annotations

import os


class FileWatch:
    """Remembers `path`'s stat signature; `changed()` says whether it moved since."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._seen = self.signature()

    def __repr__(self) -> str:
        return f"FileWatch({self.path!r})"

    def signature(self) -> tuple[int, int, int] | None:
        """(st_mtime_ns, st_size, st_ino) through symlinks; None when it cannot be stat'ed."""
        try:
            info = os.stat(self.path)
        except (OSError, ValueError):
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def changed(self) -> bool:
        """True once for each change seen; take the signature before reading the file, so a
        write that lands during the read is seen next time rather than missed."""
        now = self.signature()
        if now == self._seen:
            return False
        self._seen = now
        return True
