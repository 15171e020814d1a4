"""Small JSON files of temporary credentials, private to the user.

The folder is created 0700 and every entry is written 0600, atomically, under
a per-entry lock, so a second roleswitch process (or an SDK calling
`credential-process`) sees a whole entry or none. An entry that cannot be
read or parsed counts as missing: the cache can always be thrown away.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.credentials_file import format_expiration, parse_expiration
from roleswitch.core.errors import CredentialsFileError
from roleswitch.core.guarded_file import atomic_write, ensure_private_folder, holding
from roleswitch.core.model import Credentials

LOCK_TIMEOUT_SECONDS = 30.0  # a peer holding it is calling STS, with its own timeouts


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
        try:
            data = json.loads(self.entry_path(key).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("key") != key:
            return None
        return data

    def put(self, key: str, data: dict) -> None:
        ensure_private_folder(self.folder)
        body = json.dumps({**data, "key": key}, sort_keys=True).encode("utf-8")
        try:
            atomic_write(self.entry_path(key), body, 0o600)
        except OSError as error:
            raise CredentialsFileError(
                f"Cannot write roleswitch's cache in {self.folder} ({error.strerror})."
            ) from None

    def delete(self, key: str) -> bool:
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
        """Remove every entry of this kind; returns how many there were."""
        removed = 0
        for entry in self.folder.glob(f"{self.kind}-*.json"):
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
                removed += 1
        return removed

    def count(self) -> int:
        return sum(1 for _ in self.folder.glob(f"{self.kind}-*.json"))

    @contextlib.contextmanager
    def locked(self, key: str) -> Iterator[None]:
        """Hold `key` while it is being refreshed, so parallel callers make one STS call."""
        ensure_private_folder(self.folder)
        with holding(
            str(self.entry_path(key).with_suffix(".lock")),
            LOCK_TIMEOUT_SECONDS,
            busy=(
                f"Another roleswitch has been refreshing this entry for {LOCK_TIMEOUT_SECONDS:.0f}s; "
                "try again."
            ),
            unable=lambda reason: f"Cannot lock the cache in {self.folder} ({reason}).",
        ):
            yield


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
    return Credentials(*values, expiration=expiration)


def seconds_until(moment: datetime, now: datetime) -> float:
    return (moment - now).total_seconds()
