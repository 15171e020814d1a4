"""Sign in to IAM Identity Center with the device authorization grant (RFC 8628).

One core function for every front end: the CLI prints the code on stderr, the app
shows it in a modal. RegisterClient (a cached registration is reused while it lasts
another hour and was made for this session's start URL and region),
StartDeviceAuthorization, `show(...)`, then CreateToken polled at the given interval
(+5 s on each SlowDown) until the person approves, denies, the code expires or the
caller cancels. When the service refuses the registration (a portal that was
replaced or restarted, a revoked client), the client registers again, once, and the
sign-in goes on with a new code. Every call runs under an overall deadline, and the loop is
bounded by the code's own lifetime. No browser is needed: the URL and code are shown
so they can be opened anywhere, on another machine too (SSH).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from roleswitch.core.sso.config import SsoSession
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.token_cache import SsoToken, TokenCache, token_from_answer
from roleswitch.core.sts import Timeouts

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CLIENT_NAME = "roleswitch"
SLOW_DOWN_INCREMENT = 5  # RFC 8628 section 3.5
REGISTRATION_MARGIN = timedelta(hours=1)  # a registration about to expire is not reused
LONGEST_DEVICE_CODE = 3600  # an answer claiming longer is trimmed: the loop must end
# The service no longer accepts the client registration (its portal was replaced, or it was revoked).
CLIENT_REFUSED = frozenset({"InvalidClientException", "UnauthorizedClientException"})
OIDC_NAME = "IAM Identity Center's sign-in service"

ShowCode = Callable[[str, str, str, int], None]  # user_code, verification_uri, ..._complete, expires_in
Cancel = threading.Event | Callable[[], bool] | None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def login(
    session: SsoSession,
    show: ShowCode,
    *,
    cancel: Cancel = None,
    cache: TokenCache | None = None,
    timeouts: Timeouts | None = None,
    pause: Callable[[float], object] | None = None,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] = _utc_now,
) -> SsoToken:
    """Sign in and write the AWS CLI's token cache; return the token.

    `cancel` (an Event, or a callable answering True) stops the wait at once. `pause`
    and `clock` replace the real waiting (tests move a fake clock instead). Raises
    SsoError with code "cancelled", "denied", "expired" or a transport code.
    """
    from roleswitch.core.sso.calls import make_client

    cache = cache or TokenCache()
    timeouts = timeouts or Timeouts()
    cancelled = _cancelled(cancel)
    wait = pause or _pauser(cancel)
    client = make_client("sso-oidc", session.region, timeouts)
    registration = _cached_registration(session, cache, now) or _register(session, client, timeouts)
    renewed = False
    while True:  # at most twice: a refused registration is replaced once, never in a loop
        try:
            token = _sign_in(session, client, registration, show, cancelled, wait, timeouts, clock, now)
        except _ClientRefused as refused:
            if renewed:
                raise SsoError(
                    f"{OIDC_NAME} refused roleswitch's client registration twice ({refused.code}); "
                    f"check sso_start_url and sso_region of the SSO session {session.name} and try again.",
                    code="error",
                ) from None
            renewed = True
            registration = _register(session, client, timeouts)
            continue
        cache.save(session, token)
        return token


@dataclass(frozen=True, slots=True)
class _Registration:
    """RegisterClient's product; the secret never shows in repr."""

    client_id: str
    client_secret: str = field(repr=False)
    expires_at: datetime | None


class _ClientRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _sign_in(
    session: SsoSession,
    client,
    registration: _Registration,
    show: ShowCode,
    cancelled: Callable[[], bool],
    wait: Callable[[float], object],
    timeouts: Timeouts,
    clock: Callable[[], float],
    now: Callable[[], datetime],
) -> SsoToken:
    """One device authorization with this registration, shown and polled to its end."""
    client_id, client_secret = registration.client_id, registration.client_secret
    device = _call(
        lambda: client.start_device_authorization(
            clientId=client_id, clientSecret=client_secret, startUrl=session.start_url
        ),
        timeouts,
    )
    device_code, user_code, uri = _texts(
        device, "deviceCode", "userCode", "verificationUri", what="device code"
    )
    complete = device.get("verificationUriComplete")
    if not isinstance(complete, str) or not complete.isprintable():
        complete = uri
    expires_in = _whole(device.get("expiresIn"), 600, LONGEST_DEVICE_CODE)
    interval = _whole(device.get("interval"), 5, 60)
    show(user_code, uri, complete, expires_in)
    deadline = clock() + expires_in
    for _ in range(expires_in + 2):  # at most one poll a second, for the code's lifetime
        if cancelled():
            raise _cancelled_error()
        if clock() >= deadline:
            raise _expired_error()
        try:
            answer = _poll(client, client_id, client_secret, device_code, timeouts)
        except _Pending:
            pass
        except _SlowDown:
            interval += SLOW_DOWN_INCREMENT
        else:
            return token_from_answer(
                session, answer, now(), client_id, client_secret, registration.expires_at
            )
        wait(min(interval, max(0.0, deadline - clock())))
    raise _expired_error()


class _Pending(Exception):
    pass


class _SlowDown(Exception):
    pass


def _poll(client, client_id: str, client_secret: str, device_code: str, timeouts: Timeouts) -> dict:
    from roleswitch.core.sso.calls import error_code, map_transport_error, within_deadline

    try:
        return within_deadline(
            lambda: client.create_token(
                grantType=DEVICE_GRANT, clientId=client_id, clientSecret=client_secret, deviceCode=device_code
            ),
            timeouts,
            "sso-oidc",
        )
    except SsoError:
        raise
    except Exception as error:
        code = error_code(error)
        if code == "AuthorizationPendingException":
            raise _Pending from None
        if code == "SlowDownException":
            raise _SlowDown from None
        if code == "AccessDeniedException":
            raise SsoError(
                "The sign-in was denied in the browser; nothing was written.", code="denied"
            ) from None
        if code == "ExpiredTokenException":
            raise _expired_error() from None
        if code in CLIENT_REFUSED:
            raise _ClientRefused(code) from None
        if code == "InvalidGrantException":
            raise SsoError(
                "IAM Identity Center no longer knows this sign-in request; run roleswitch login again.",
                code="expired",
            ) from None
        raise map_transport_error(error, "sso-oidc") from None


def _cached_registration(
    session: SsoSession, cache: TokenCache, now: Callable[[], datetime]
) -> _Registration | None:
    """The cached client registration, if it lasts another hour and was made for this
    session's start URL and region (the cache file names both; a file without them, as
    old tools wrote, is given the benefit of the doubt: a refusal registers again)."""
    cached = cache.load(session)
    if cached is None or not cached.registration_valid(now() + REGISTRATION_MARGIN):
        return None
    if not cached.made_for(session):
        return None
    return _Registration(str(cached.client_id), str(cached.client_secret), cached.registration_expires_at)


def _register(session: SsoSession, client, timeouts: Timeouts) -> _Registration:
    params: dict = {"clientName": CLIENT_NAME, "clientType": "public"}
    if session.scopes:
        params["scopes"] = list(session.scopes)  # with scopes, AWS hands out refresh tokens
    answer = _call(lambda: client.register_client(**params), timeouts, refusable=False)
    client_id, secret = _texts(answer, "clientId", "clientSecret", what="client registration")
    expires = answer.get("clientSecretExpiresAt")
    expires_at = datetime.fromtimestamp(expires, UTC) if isinstance(expires, int) and expires > 0 else None
    return _Registration(client_id, secret, expires_at)


def _call(call: Callable[[], dict], timeouts: Timeouts, *, refusable: bool = True) -> dict:
    """One OIDC call; a refused client registration is `_ClientRefused` when `refusable`,
    anything else one sentence."""
    from roleswitch.core.sso.calls import error_code, map_transport_error, within_deadline

    try:
        return within_deadline(call, timeouts, "sso-oidc")
    except SsoError:
        raise
    except Exception as error:
        code = error_code(error)
        if refusable and code in CLIENT_REFUSED:
            raise _ClientRefused(code) from None
        raise map_transport_error(error, "sso-oidc") from None


def _texts(answer: dict, *keys: str, what: str) -> list[str]:
    """The answer's values for `keys`, each a printable non-empty string, else one sentence."""
    values = [answer.get(key) for key in keys]
    texts = [v for v in values if isinstance(v, str) and v and v.isprintable() and len(v) <= 16384]
    if len(texts) != len(keys):
        raise SsoError(f"IAM Identity Center answered without a usable {what}; try again.", code="bad-answer")
    return texts


def _whole(value: object, default: int, most: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        return default
    return min(value, most)


def _cancelled(cancel: Cancel) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def _pauser(cancel: Cancel) -> Callable[[float], object]:
    """Wait `seconds`, returning early when cancelled."""
    if isinstance(cancel, threading.Event):
        return cancel.wait
    if cancel is None:
        return time.sleep
    check = cancel

    def pause(seconds: float) -> None:
        end = time.monotonic() + seconds
        while not check() and (left := end - time.monotonic()) > 0:
            time.sleep(min(0.1, left))

    return pause


def _cancelled_error() -> SsoError:
    return SsoError("Sign-in cancelled; nothing was written.", code="cancelled")


def _expired_error() -> SsoError:
    return SsoError(
        "The sign-in code expired before it was approved; run roleswitch login again.", code="expired"
    )
