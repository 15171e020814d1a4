"""Sign out of IAM Identity Center, as `aws sso logout` does: the portal's Logout ends the
sign-in there (its access and refresh tokens stop working for every tool), then the
AWS CLI's token cache file goes.

The call is bounded (`LOGOUT_TIMEOUTS`); a portal that cannot be reached does not keep
the file: the sign-in is removed here all the same, and the result says it may still be
valid at IAM Identity Center until it expires. The token never appears in any result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from roleswitch.core.sso.config import SsoConfig, SsoSession
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.token_cache import SsoToken, TokenCache
from roleswitch.core.sts import Timeouts

# Signing out waits for nobody long: one attempt, a few seconds.
LOGOUT_TIMEOUTS = Timeouts(connect=2.0, read=3.0, attempts=1)
# The portal's answer to a token it no longer knows (expired, revoked, signed out): nothing to end.
_ALREADY_ENDED = frozenset({"UnauthorizedException"})


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SignOut:
    """One session signed out here. `portal_problem`: why the portal could not end the
    sign-in ("could not be reached"...), None when it did (or it had ended already)."""

    session: str
    expires_at: datetime
    portal_problem: str | None = None

    @property
    def sentence(self) -> str:
        if self.portal_problem is None:
            return f"Signed out of {self.session}."
        until = self.expires_at.astimezone().strftime("%H:%M")
        return (
            f"Signed out of {self.session} here, but the IAM Identity Center portal {self.portal_problem}, "
            f"so the sign-in may still work elsewhere until {until}."
        )


def signed_in_sessions(config: SsoConfig, cache: TokenCache | None = None) -> list[SsoSession]:
    """The configured sessions with a token cache file (one per file: legacy profiles of
    one start URL share theirs), in configuration order. Reads files only."""
    cache = cache or TokenCache()
    seen: set[str] = set()
    found = []
    for session in config.sessions:
        if session.cache_key in seen or cache.load(session) is None:
            continue
        seen.add(session.cache_key)
        found.append(session)
    return found


def sign_out(
    session: SsoSession,
    *,
    cache: TokenCache | None = None,
    timeouts: Timeouts = LOGOUT_TIMEOUTS,
    now: Callable[[], datetime] = _utc_now,
) -> SignOut | None:
    """End `session`'s sign-in at the portal and remove its token cache file; None when it
    had none. A file that cannot be removed is one sentence (`CredentialsFileError`)."""
    cache = cache or TokenCache()
    with cache.locked(session):  # no refresh writes the file back while it goes
        token = cache.load(session)
        if token is None:
            return None
        problem = None
        if token.left(now()) > timedelta(0):  # an ended token cannot end anything at the portal
            problem = _portal_logout(session, token, timeouts)
        cache.remove(session)
    return SignOut(session.name, token.expires_at, problem)


def sign_out_all(
    sessions: Iterable[SsoSession],
    *,
    cache: TokenCache | None = None,
    timeouts: Timeouts = LOGOUT_TIMEOUTS,
    now: Callable[[], datetime] = _utc_now,
) -> list[SignOut]:
    """`sign_out` for each session that has a sign-in, in order."""
    done = []
    for session in sessions:
        result = sign_out(session, cache=cache, timeouts=timeouts, now=now)
        if result is not None:
            done.append(result)
    return done


def _portal_logout(session: SsoSession, token: SsoToken, timeouts: Timeouts) -> str | None:
    """The portal's Logout; None when the sign-in is over there, else why it is not."""
    from roleswitch.core.sso.calls import error_code, make_client, map_transport_error, within_deadline

    access = token.access_token
    region = token.region or session.region

    def call() -> None:
        make_client("sso", region, timeouts).logout(accessToken=access)

    try:
        within_deadline(call, timeouts, "sso")
    except Exception as error:
        code = error_code(error)
        if code in _ALREADY_ENDED:
            return None
        return _reason(map_transport_error(error, "sso"), code)
    return None


def _reason(error: SsoError, code: str | None) -> str:
    """What went wrong, to fit "the portal ___, so ..." (the full sentences quote endpoints)."""
    if error.code == "no-connection":
        return "could not be reached"
    if error.code == "throttled":
        return "was throttling requests"
    return f"refused the request ({code})" if code else "could not be told"
