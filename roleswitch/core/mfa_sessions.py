"""MFA sessions: one code buys hours of assuming MFA roles without another.

An MFA session is what STS GetSessionToken returns for a source's long-term
keys plus an MFA code. roleswitch keeps it in its private cache, keyed by the
source (profile or credential source) and the MFA device, so renewals, other
roles with the same source, other roleswitch processes and `credential-process`
all reuse it until it ends. `roleswitch logout` forgets it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from roleswitch.core.model import Credentials, Target
from roleswitch.core.secret_cache import (
    SecretCache,
    credentials_from_json,
    credentials_to_json,
    seconds_until,
)

# A session with less left than this is not used to start an assume: the call
# itself takes seconds, and the code is asked for again instead.
MIN_SECONDS_LEFT = 60


def source_key(target: Target) -> str:
    """Who the MFA session belongs to: the source profile, or the credential source."""
    if target.source_profile:
        return f"profile:{target.source_profile}"
    return f"credential_source:{target.credential_source or 'default'}"


def source_label(target: Target) -> str:
    return target.source_profile or f"({target.credential_source or 'default credentials'})"


class MfaSessionStore:
    """The cached MFA sessions; hands out their secrets only to the STS client."""

    def __init__(self, folder: Path | None = None) -> None:
        self.cache = SecretCache("mfa", folder)

    def __repr__(self) -> str:
        return f"MfaSessionStore({str(self.cache.folder)!r})"

    @staticmethod
    def key(target: Target) -> str:
        return f"{source_key(target)}\n{target.mfa_serial or ''}"

    def credentials(self, target: Target, now: datetime) -> Credentials | None:
        """The session's credentials if it has more than `MIN_SECONDS_LEFT` left."""
        if not target.mfa_serial:
            return None
        data = self.cache.get(self.key(target))
        credentials = credentials_from_json(data) if data else None
        if credentials is None or seconds_until(credentials.expiration, now) <= MIN_SECONDS_LEFT:
            return None
        return credentials

    def expiration(self, target: Target, now: datetime) -> datetime | None:
        """When the usable MFA session for `target` ends; None if there is none."""
        credentials = self.credentials(target, now)
        return credentials.expiration if credentials else None

    def usable(self, target: Target, now: datetime) -> bool:
        return self.credentials(target, now) is not None

    def save(self, target: Target, credentials: Credentials) -> None:
        self.cache.put(
            self.key(target),
            {"source": source_key(target), "serial": target.mfa_serial, **credentials_to_json(credentials)},
        )

    def forget(self, target: Target) -> bool:
        return self.cache.delete(self.key(target))

    def forget_all(self) -> int:
        return self.cache.clear()

    def count(self) -> int:
        return self.cache.count()


def forget_cached_credentials(folder: Path | None = None) -> tuple[int, int]:
    """Log out: forget every MFA session and every cached role credential.

    Returns how many of each there were.
    """
    from roleswitch.core.role_cache import RoleCredentialsCache

    return MfaSessionStore(folder).forget_all(), RoleCredentialsCache(folder).clear()
