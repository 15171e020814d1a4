"""Role credentials handed to SDKs by `roleswitch credential-process`.

An SDK may start the process for every client it builds; each answer from
this cache saves an STS call. botocore refreshes 15 minutes before expiry
(mandatory at 10), so an entry is served while more than 15 minutes are left,
or a third of its lifetime for shorter sessions: a 900 s session is always
inside botocore's window, and without the third every caller of a storm would
make its own STS call.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from roleswitch.core.clock import format_expiration, parse_expiration
from roleswitch.core.file_lock import exclusive_lock
from roleswitch.core.model import Credentials, Settings, Target
from roleswitch.core.private_folder import cache_folder_problem
from roleswitch.core.secret_cache import (
    SecretCache,
    credentials_from_json,
    credentials_to_json,
    seconds_until,
)

SDK_REFRESH_MARGIN = 15 * 60


def serve_margin(lifetime: float | None) -> float:
    """How much must be left of credentials that lasted `lifetime` seconds to serve them."""
    if lifetime is None or lifetime <= 0:
        return SDK_REFRESH_MARGIN
    return min(SDK_REFRESH_MARGIN, lifetime / 3)


class RoleCredentialsCache:
    """Cached AssumeRole results, keyed by everything that shapes the call."""

    def __init__(self, folder: Path | None = None) -> None:
        self.cache = SecretCache("role", folder)

    def __repr__(self) -> str:
        return f"RoleCredentialsCache({str(self.cache.folder)!r})"

    @staticmethod
    def key(target: Target, settings: Settings) -> str:
        shape = {
            "name": target.name,
            "role_arn": target.role_arn,
            "source_profile": target.source_profile,
            "credential_source": target.credential_source,
            "external_id": target.external_id,
            "mfa_serial": target.mfa_serial,
            "duration": target.duration_seconds or settings.duration_seconds,
            "session_name": target.session_name or settings.session_name,
        }
        return json.dumps(shape, sort_keys=True)

    def get(self, target: Target, settings: Settings, now: datetime) -> Credentials | None:
        """The cached credentials if enough is left of them (see `serve_margin`). Read
        without a lock: entries are replaced atomically, so a reader sees one whole."""
        data = self.cache.get(self.key(target, settings))
        credentials = credentials_from_json(data) if data else None
        if data is None or credentials is None:
            return None
        obtained = parse_expiration(str(data.get("Obtained", "")))
        lifetime = seconds_until(credentials.expiration, obtained) if obtained else None
        if seconds_until(credentials.expiration, now) <= serve_margin(lifetime):
            return None
        return credentials

    def put(self, target: Target, settings: Settings, credentials: Credentials, obtained: datetime) -> None:
        """Store what STS answered at `obtained`: the lifetime sets how long it is served."""
        self.cache.put(
            self.key(target, settings),
            {
                "target": target.name,
                "Obtained": format_expiration(obtained),
                **credentials_to_json(credentials),
            },
        )

    @contextlib.contextmanager
    def fetching(self, target: Target, settings: Settings, timeout: float) -> Iterator[None]:
        """Held by the one caller that fetches this entry, so parallel callers make one STS
        call. Its own lock file, apart from the entry's, which `put` takes while this is
        held. Raises `LockTimeout` after `timeout` seconds, `OSError` if it cannot be made.

        In a cache folder that cannot be trusted nothing is cached, so there is nothing to
        share and no lock is taken: a file planted there is never opened."""
        if cache_folder_problem(self.cache.folder, create=True):
            yield
            return
        key = self.key(target, settings)
        lock = self.cache.entry_path(key).with_suffix(".fetch.lock")
        with exclusive_lock(str(lock), timeout):
            yield

    def clear(self) -> int:
        return self.cache.clear()
