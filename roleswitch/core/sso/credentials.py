"""Role credentials from the IAM Identity Center portal (GetRoleCredentials).

The answer is checked exactly as an STS answer is (the same shapes, an expiry in the
future and within what AWS grants) before anything uses it; `expiration` arrives as
epoch milliseconds. The token comes from the AWS CLI's cache, refreshed when near its
end; an ended sign-in is one sentence saying to run `roleswitch login SESSION`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from roleswitch.core import validate
from roleswitch.core.errors import AssumeError
from roleswitch.core.model import Credentials
from roleswitch.core.sso.config import SsoSession
from roleswitch.core.sso.errors import SsoError, login_needed
from roleswitch.core.sso.token_cache import SsoToken, TokenCache, valid_token
from roleswitch.core.sts import Timeouts, usable_credentials

_ROLE_NAME_MAX = 128


def _utc_now() -> datetime:
    return datetime.now(UTC)


def role_credentials(
    session: SsoSession,
    account_id: str,
    role_name: str,
    *,
    token: SsoToken | None = None,
    cache: TokenCache | None = None,
    timeouts: Timeouts | None = None,
    now: Callable[[], datetime] = _utc_now,
) -> Credentials:
    """Credentials for `role_name` in `account_id`; `SsoError` with one sentence otherwise."""
    from roleswitch.core.sso.calls import error_code, make_client, map_transport_error, within_deadline

    account_id = validate.account_id(account_id)
    if not role_name or len(role_name) > _ROLE_NAME_MAX or not role_name.isprintable():
        raise SsoError(f"{role_name!r} is not a role name IAM Identity Center uses.", code="invalid")
    timeouts = timeouts or Timeouts()
    if token is None:
        token = valid_token(session, cache=cache, timeouts=timeouts, now=now)
    access = token.access_token

    def call() -> dict:
        client = make_client("sso", session.region, timeouts)
        return client.get_role_credentials(accessToken=access, accountId=account_id, roleName=role_name)

    try:
        answer = within_deadline(call, timeouts, "sso")
    except Exception as error:
        code = error_code(error)
        if code == "UnauthorizedException":
            raise login_needed(session.name, "has ended (its sign-in expired or was revoked)") from None
        if code in ("ForbiddenException", "ResourceNotFoundException", "AccessDeniedException"):
            raise SsoError(
                f"The SSO session {session.name} has no access to {role_name} in account {account_id}; "
                "ask your administrator, or pick another role.",
                code="access-denied",
            ) from None
        raise map_transport_error(error, "sso") from None
    return portal_credentials(answer, now())


def portal_credentials(answer: dict, now: datetime) -> Credentials:
    """The credentials of a GetRoleCredentials answer, checked as STS answers are."""
    found = answer.get("roleCredentials") if isinstance(answer, dict) else None
    if not isinstance(found, dict):
        found = {}
    millis = found.get("expiration")
    expiration = None
    if isinstance(millis, int) and not isinstance(millis, bool) and 0 < millis < 10**14:
        expiration = datetime.fromtimestamp(millis / 1000, UTC)
    shaped = {
        "Credentials": {
            "AccessKeyId": found.get("accessKeyId"),
            "SecretAccessKey": found.get("secretAccessKey"),
            "SessionToken": found.get("sessionToken"),
            "Expiration": expiration,
        }
    }
    try:
        return usable_credentials(shaped, now)
    except AssumeError as error:  # the same checks; the sentence names the portal, not STS
        raise SsoError(
            str(error).replace("STS answered", "The IAM Identity Center portal answered", 1),
            code="bad-answer",
        ) from None
