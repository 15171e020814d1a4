"""Where each SSO session stands, read from the caches alone (no network): when its
sign-in ends, whether a refresh token can extend it, and when its accounts were last
discovered. The app shows the first, and decides from all three which session to offer
for sign-in and which to discover again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from roleswitch.core.sso.config import SsoConfig, load_sso_config
from roleswitch.core.sso.discovery import DiscoveryCache
from roleswitch.core.sso.token_cache import TokenCache

# A discovery older than this is run again in the background when the app starts.
DISCOVERY_MAX_AGE = timedelta(hours=1)
# A sign-in ending within this is offered first by the sign-in key.
ENDING_SOON = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """One SSO session as the caches have it. Holds no token."""

    name: str
    expires_at: datetime | None  # of the cached sign-in; None when there is none for this session
    refreshable: bool  # a refresh token (with a live client registration) can extend it
    discovered_at: datetime | None  # of the cached discovery; None when there is none

    def left(self, now: datetime) -> timedelta | None:
        """Time left of the sign-in itself (negative once it has ended); None: not signed in."""
        return None if self.expires_at is None else self.expires_at - now

    def usable(self, now: datetime) -> bool:
        """Calls can be made without a new sign-in: the token works, or can be refreshed."""
        left = self.left(now)
        return left is not None and (left > timedelta(0) or self.refreshable)

    def needs_discovery(self, now: datetime, max_age: timedelta = DISCOVERY_MAX_AGE) -> bool:
        """Signed in, and its accounts never listed or listed longer than `max_age` ago."""
        if not self.usable(now):
            return False
        return self.discovered_at is None or now - self.discovered_at > max_age


def session_statuses(
    config: SsoConfig | None = None,
    *,
    tokens: TokenCache | None = None,
    discoveries: DiscoveryCache | None = None,
    now: datetime | None = None,
) -> list[SessionStatus]:
    """Every configured SSO session, in configuration order. Reads files only."""
    config = config if config is not None else load_sso_config()
    tokens = tokens or TokenCache()
    discoveries = discoveries or DiscoveryCache()
    moment = now or datetime.now(UTC)
    statuses = []
    for session in config.sessions:
        token = tokens.load(session)
        if token is not None and token.start_url and token.start_url != session.start_url:
            token = None  # a sign-in to another portal is no sign-in to this one
        discovery = discoveries.load(session)
        statuses.append(
            SessionStatus(
                name=session.name,
                expires_at=token.expires_at if token is not None else None,
                refreshable=token is not None and token.refreshable(moment),
                discovered_at=discovery.fetched_at if discovery is not None else None,
            )
        )
    return statuses


def session_to_offer(statuses: Sequence[SessionStatus], now: datetime, preferred: str | None = None) -> int:
    """Index of the session the sign-in key offers first: one whose sign-in is missing or
    ends within the hour, `preferred` (the highlighted target's session) first among
    those; else `preferred`; else the first. -1 when there are none."""
    if not statuses:
        return -1

    def ending(status: SessionStatus) -> bool:
        left = status.left(now)
        return left is None or left < ENDING_SOON

    ranked = sorted(
        range(len(statuses)),
        key=lambda i: (not ending(statuses[i]), statuses[i].name != preferred, i),
    )
    return ranked[0]
