"""botocore `sso` and `sso-oidc` clients, and each call bounded by an overall deadline.

The endpoints come from AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC as for any
AWS SDK, so they are untrusted input: a silent or dripping endpoint must fail in
seconds (see `Timeouts` in roleswitch.core.sts), and every error becomes one sentence
that never quotes a token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from roleswitch.core.deadline import within_deadline as _within
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sts import Timeouts, quiet_sdk_debug_logs

_Result = TypeVar("_Result")

PORTAL = "the IAM Identity Center portal"
OIDC = "IAM Identity Center's sign-in service"
_VARIABLE = {"sso": "AWS_ENDPOINT_URL_SSO", "sso-oidc": "AWS_ENDPOINT_URL_SSO_OIDC"}
_THROTTLE_CODES = {"TooManyRequestsException", "ThrottlingException", "SlowDownException"}


def make_client(service: str, region: str, timeouts: Timeouts, *, pool: int = 10, retries: bool = True):
    """An unsigned client (both services authenticate by token, not by AWS keys).

    `retries=False` leaves throttling to the caller's own backoff (discovery)."""
    from botocore import UNSIGNED
    from botocore.config import Config

    from roleswitch.core.aws.source_session import source_session

    quiet_sdk_debug_logs()
    config = Config(
        region_name=region,
        signature_version=UNSIGNED,
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"total_max_attempts": timeouts.attempts if retries else 1, "mode": "standard"},
        max_pool_connections=pool,
    )
    # A session of its own: no credentials are looked up for an unsigned client, and
    # botocore reads only the default profile's chain, not the whole config (half a second
    # at 10,000 profiles, on every SSO assume).
    return source_session().client(service, config=config)


def within_deadline(call: Callable[[], _Result], timeouts: Timeouts, service: str) -> _Result:
    """`call` under the overall deadline (see roleswitch.core.deadline), late as one sentence."""
    deadline = timeouts.deadline
    late = SsoError(
        f"{_capital(_what(service))} did not answer within {deadline:.0f}s; check the network, "
        f"or {_VARIABLE[service]} if you set it, and try again.",
        code="no-connection",
    )
    return _within(call, deadline, late, name=f"roleswitch-{service}-call")


def error_code(error: BaseException) -> str | None:
    """The service's error code of a botocore ClientError, else None."""
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or None
    return None


def is_throttled(error: BaseException) -> bool:
    return error_code(error) in _THROTTLE_CODES


def map_transport_error(error: BaseException, service: str) -> SsoError:
    """One sentence for a failure that is not the service saying no: unreachable, timed
    out, an answer that is not this service's, or anything unexpected."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    what, variable = _what(service), _VARIABLE[service]
    if isinstance(error, SsoError):
        return error
    if isinstance(error, ResponseParserError):
        return SsoError(
            f"{_capital(what)} answered with something that is not its API; check {variable} "
            "(or a proxy in between) and try again.",
            code="no-connection",
        )
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        where = getattr(error, "kwargs", {}).get("endpoint_url") or "endpoint unreachable"
        return SsoError(
            f"Could not connect to {what} ({where}); check the network, or {variable} if you set it.",
            code="no-connection",
        )
    if isinstance(error, bx.ReadTimeoutError | bx.ConnectionClosedError):
        return SsoError(
            f"{_capital(what)} did not answer in time; check the network and try again.",
            code="no-connection",
        )
    if is_throttled(error):
        return SsoError(
            f"{_capital(what)} is throttling requests; wait a minute and try again.", code="throttled"
        )
    code = error_code(error)
    if code is not None:
        return SsoError(f"{_capital(what)} refused the request ({code}); try again, or sign in again.")
    if isinstance(error, bx.BotoCoreError | OSError | ValueError):
        return SsoError(
            f"The call to {what} failed ({type(error).__name__}); check the network and try again.",
            code="no-connection",
        )
    return SsoError(f"Unexpected error talking to {what}: {type(error).__name__}.")


def _what(service: str) -> str:
    return PORTAL if service == "sso" else OIDC


def _capital(text: str) -> str:
    """`str.capitalize` would lower the rest ("Iam identity center")."""
    return text[:1].upper() + text[1:]
