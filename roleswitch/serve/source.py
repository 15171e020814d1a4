"""Where served credentials come from: roleswitch's cache, else STS with the MFA session.

The same policy as `roleswitch assume` (core/assume_flow.py) and the same cache as
`credential-process`, so a server, SDK profiles and the app share one MFA session
and, where their calls match, one set of role credentials. Only the first fetch may
ask for an MFA code (on the terminal, before the command starts); a renewal runs
while the command owns the terminal, so it never asks, and says what to do instead.
"""

from __future__ import annotations

import contextlib
import dataclasses

from roleswitch.core.assume_flow import AskCode, assume_with_mfa
from roleswitch.core.clock import Clock, SystemClock
from roleswitch.core.errors import AssumeError, RoleswitchError
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.model import AssumeResult, Credentials, Settings, Target
from roleswitch.core.role_cache import RoleCredentialsCache


def _never_asks(target: Target, reason: str | None) -> str | None:
    return None


class RoleSource:
    """Fetches the target's credentials: from the cache when it has enough left, else STS."""

    def __init__(
        self,
        target: Target,
        settings: Settings,
        *,
        duration: int | None = None,
        sts=None,
        mfa_sessions: MfaSessionStore | None = None,
        cache: RoleCredentialsCache | None = None,
        clock: Clock | None = None,
    ) -> None:
        if duration is not None:  # one target shape for the STS call and the cache key alike
            target = dataclasses.replace(target, duration_seconds=duration)
        self.target = target
        self.settings = settings
        self.clock = clock or SystemClock()
        self.mfa_sessions = mfa_sessions or MfaSessionStore()
        self.cache = cache or RoleCredentialsCache()
        self._sts = sts
        self.region: str | None = None

    def __repr__(self) -> str:
        return f"RoleSource({self.target.name!r})"

    @property
    def sts(self):
        if self._sts is None:
            from roleswitch.core.sts import StsClient  # boto3 only when STS is really called

            self._sts = StsClient(mfa_sessions=self.mfa_sessions, clock=self.clock)
        return self._sts

    def first(self, ask_code: AskCode | None = None, code: str | None = None) -> Credentials:
        """The first set: cached, or assumed, asking for an MFA code if there is no session
        (with `ask_code`; without it, never)."""
        cached = self._cached()
        if cached is not None:
            return cached
        return self._assume(ask_code or _never_asks, code)

    def renew(self) -> Credentials:
        """A new set, never asking for a code: one STS call."""
        return self._assume(_never_asks, None)

    def _cached(self) -> Credentials | None:
        try:
            return self.cache.get(self.target, self.settings, self.clock.now())
        except (OSError, RoleswitchError):
            return None

    def _assume(self, ask_code: AskCode, code: str | None) -> Credentials:
        target = self.target
        try:
            result: AssumeResult = assume_with_mfa(
                target, self.settings, self.sts, self.mfa_sessions, ask_code, code=code, clock=self.clock
            )
        except AssumeError as error:
            if ask_code is not _never_asks or error.code not in ("mfa-required", "mfa-session-ended"):
                raise
            raise RoleswitchError(
                f"{target.name} needs a new MFA code (its MFA session has ended) and the credential "
                f"server cannot ask for one; run `roleswitch assume {target.name}` in a terminal (or "
                "renew it in the app); the server uses the new MFA session within 15 seconds."
            ) from None
        self.region = result.region
        # An untrusted or full cache folder: the server still has them in memory.
        with contextlib.suppress(OSError, RoleswitchError):
            self.cache.put(target, self.settings, result.credentials, self.clock.now())
        return result.credentials
