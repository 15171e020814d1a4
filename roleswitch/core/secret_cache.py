"""Small JSON files of temporary credentials, private to the user.

The folder is created 0700 and every entry is written 0600, atomically, under
a per-entry lock, so a second roleswitch process (or an SDK calling
`credential-process`) sees a whole entry or none. An entry that cannot be
read or parsed counts as missing: the cache can always be thrown away.

A folder that belongs to another user is not used at all (nothing read,
written or locked there): anyone could have planted an entry under a name
they can compute. Entries are read without following symlinks or blocking,
and only if they are ours. The lock is re-entrant within a thread, so
`put` under `locked(key)` does not wait for itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.credentials_file import format_expiration, parse_expiration
from roleswitch.core.errors import CredentialsFileError
from roleswitch.core.file_lock import remove_abandoned_locks
from roleswitch.core.guarded_file import atomic_write, holding
from roleswitch.core.model import Credentials
from roleswitch.core.private_folder import cache_folder_problem, effective_uid
from roleswitch.core.regular_file import read_regular_file

LOCK_TIMEOUT_SECONDS = 30.0  # a peer holding it is calling STS, with its own timeouts
_held: dict[str, int] = {}  # lock path -> the thread holding it in this process


class SecretCache:
    """Entries named `<kind>-<hash of key>.json` in `folder` (default: the user's cache folder)."""

    def __init__(self, kind: str, folder: Path | None = None) -> None:
        self.kind = kind
        self.folder = Path(folder) if folder else paths.cache_dir()

    def __repr__(self) -> str:
        return f"SecretCache({self.kind!r}, {str(self.folder)!r})"

    def entry_path(self, key: str) -> Path:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
        return self.folder / f"{self.kind}-{digest}.json"

    def get(self, key: str) -> dict | None:
        """The entry stored under `key`, or None if there is none (or it is unreadable)."""
        if cache_folder_problem(self.folder, create=False):
            return None
        try:
            raw = read_regular_file(self.entry_path(key), follow_symlinks=False, owner=effective_uid())
            data = json.loads(raw)
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return data

    def put(self, key: str, data: dict) -> None:
        """Store `data` under `key`; in a folder that cannot be trusted, nothing is stored."""
        if cache_folder_problem(self.folder, create=True):
            return
        body = json.dumps({**data, "key": key}, sort_keys=True).encode("utf-8")
        self._remove_abandoned_locks()
        with self._entry_lock(key):
            try:
                atomic_write(self.entry_path(key), body, 0o600)
            except OSError as error:
                raise CredentialsFileError(
                    f"Cannot write roleswitch's cache in {self.folder} ({error.strerror})."
                ) from None

    def delete(self, key: str) -> bool:
        if cache_folder_problem(self.folder, create=False) or not self.folder.is_dir():
            return False
        with self._entry_lock(key):
            try:
                self.entry_path(key).unlink()
            except FileNotFoundError:
                return False
            except OSError as error:
                raise CredentialsFileError(
                    f"Cannot remove a cache entry in {self.folder} ({error.strerror})."
                ) from None
        return True

    def clear(self) -> int:
        """Remove every entry of this kind, and locks left by killed holders; returns how
        many entries there were. Raises the sentence if the folder is another user's."""
        problem = cache_folder_problem(self.folder, create=False)
        if problem:
            raise CredentialsFileError(problem)
        if not self.folder.is_dir():
            return 0
        removed = 0
        for entry in self.folder.glob(f"{self.kind}-*.json"):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed += 1
        self._remove_abandoned_locks()
        return removed

    def count(self) -> int:
        if cache_folder_problem(self.folder, create=False) or not self.folder.is_dir():
            return 0
        return sum(1 for _ in self.folder.glob(f"{self.kind}-*.json"))

    @contextlib.contextmanager
    def locked(self, key: str) -> Iterator[None]:
        """Hold `key` while it is being refreshed, so parallel callers make one STS call.
        In a folder that cannot be trusted there is no cache to guard: nothing is locked."""
        if cache_folder_problem(self.folder, create=True):
            yield
            return
        self._remove_abandoned_locks()
        with self._entry_lock(key):
            yield

    @contextlib.contextmanager
    def _entry_lock(self, key: str) -> Iterator[None]:
        lock_path = str(self.entry_path(key).with_suffix(".lock"))
        me = threading.get_ident()
        if _held.get(lock_path) == me:  # put/delete inside this thread's `locked(key)`
            yield
            return
        with holding(
            lock_path,
            LOCK_TIMEOUT_SECONDS,
            busy=(
                f"Another roleswitch has been refreshing this entry for {LOCK_TIMEOUT_SECONDS:.0f}s; "
                "try again."
            ),
            unable=lambda reason: f"Cannot lock the cache in {self.folder} ({reason}).",
        ):
            _held[lock_path] = me
            try:
                yield
            finally:
                del _held[lock_path]

    def _remove_abandoned_locks(self) -> None:
        """Lock files of holders killed with SIGKILL, of any kind; held ones stay."""
        with contextlib.suppress(OSError):
            remove_abandoned_locks(str(path) for path in self.folder.glob("*.lock"))


def credentials_to_json(credentials: Credentials) -> dict:
    return {
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "SessionToken": credentials.session_token,
        "Expiration": format_expiration(credentials.expiration),
    }


def credentials_from_json(data: dict) -> Credentials | None:
    """Credentials from an entry, or None if any part is missing or malformed."""
    try:
        expiration = parse_expiration(str(data["Expiration"]))
        values = [data[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")]
    except (KeyError, TypeError):
        return None
    if expiration is None or not all(isinstance(v, str) and v for v in values):
        return None
    access_key_id, secret_access_key, session_token = values
    return Credentials(access_key_id, secret_access_key, session_token, expiration)


def seconds_until(moment: datetime, now: datetime) -> float:
    return (moment - now).total_seconds()
