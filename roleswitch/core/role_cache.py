"""Role credentials handed to SDKs by `roleswitch credential-process`.

An SDK may start the process for every client it builds; each answer from
this cache saves an STS call. Entries are served while more than 15 minutes
are left, botocore's refresh margin: anything shorter would make the SDK
call again at once.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from roleswitch.core.model import Credentials, Settings, Target
from roleswitch.core.secret_cache import (
    SecretCache,
    credentials_from_json,
    credentials_to_json,
    seconds_until,
)

SDK_REFRESH_MARGIN = 15 * 60


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
        data = self.cache.get(self.key(target, settings))
        credentials = credentials_from_json(data) if data else None
        if credentials is None or seconds_until(credentials.expiration, now) <= SDK_REFRESH_MARGIN:
            return None
        return credentials

    def put(self, target: Target, settings: Settings, credentials: Credentials) -> None:
        self.cache.put(
            self.key(target, settings), {"target": target.name, **credentials_to_json(credentials)}
        )

    def locked(self, target: Target, settings: Settings):
        return self.cache.locked(self.key(target, settings))

    def clear(self) -> int:
        return self.cache.clear()
