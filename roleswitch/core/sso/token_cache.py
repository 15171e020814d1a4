"""The AWS CLI's SSO token cache, read and written in its exact format and place.

`~/.aws/sso/cache/<sha1 hex>.json` (see `SsoSession.cache_key`), keys startUrl,
region, accessToken, expiresAt (RFC 3339 UTC with Z), and for a refreshable sign-in
clientId, clientSecret, registrationExpiresAt, refreshToken. So a login by
`aws sso login` serves roleswitch, and one by roleswitch serves the AWS CLI and boto3.

A token is refreshed (CreateToken, grant type refresh_token) inside the last 15
minutes, as botocore's SSOTokenProvider does, under a lock so two roleswitch processes
never spend the same single-use refresh token. If the refresh fails while the token
still works, the token is used, as botocore does. Tokens and secrets never appear in
repr, logs or errors.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from roleswitch.core.errors import CredentialsFileError
from roleswitch.core.guarded_file import GuardedFile, atomic_write
from roleswitch.core.private_folder import ensure_private_folder
from roleswitch.core.regular_file import read_regular_file
from roleswitch.core.sso.config import SsoSession
from roleswitch.core.sso.errors import SsoError, login_needed
from roleswitch.core.sts import Timeouts

REFRESH_WINDOW = timedelta(minutes=15)  # botocore's SSOTokenProvider._REFRESH_WINDOW
_REFUSED_REFRESH = {
    "InvalidGrantException",
    "InvalidClientException",
    "UnauthorizedClientException",
    "ExpiredTokenException",
    "AccessDeniedException",
    "InvalidRequestException",
}


def _utc_now() -> datetime:
    return datetime.now(UTC)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with Z, as botocore's `_serialize_utc_timestamp` writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True, slots=True)
class SsoToken:
    """One cached sign-in. The token, the refresh token and the client secret are secrets."""

    start_url: str
    region: str
    access_token: str = field(repr=False)
    expires_at: datetime
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    registration_expires_at: datetime | None = None
    refresh_token: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"SsoToken(start_url={self.start_url!r}, region={self.region!r}, access_token='***', "
            f"expires_at={format_time(self.expires_at)!r}, refreshable={self.refresh_token is not None})"
        )

    __str__ = __repr__

    def left(self, now: datetime) -> timedelta:
        return self.expires_at - now

    def registration_valid(self, now: datetime) -> bool:
        """The cached client registration can be reused (for a refresh, or a new login)."""
        return bool(
            self.client_id
            and self.client_secret
            and self.registration_expires_at is not None
            and self.registration_expires_at > now
        )

    def made_for(self, session: SsoSession) -> bool:
        """Not known to belong to another portal: the start URL and region the file names
        (the AWS CLI writes both) are this session's, or the file does not name them."""
        return self.start_url in ("", session.start_url) and self.region in ("", session.region)

    def refreshable(self, now: datetime) -> bool:
        return self.refresh_token is not None and self.registration_valid(now)

    def to_json(self) -> dict:
        data: dict = {
            "startUrl": self.start_url,
            "region": self.region,
            "accessToken": self.access_token,
            "expiresAt": format_time(self.expires_at),
        }
        if self.client_id and self.client_secret:
            data["clientId"] = self.client_id
            data["clientSecret"] = self.client_secret
        if self.registration_expires_at is not None:
            data["registrationExpiresAt"] = format_time(self.registration_expires_at)
        if self.refresh_token:
            data["refreshToken"] = self.refresh_token
        return data

    @classmethod
    def from_json(cls, data: object) -> SsoToken | None:
        """The token a cache file holds, or None when it is not one (botocore needs at least
        accessToken and expiresAt; the AWS CLI also writes startUrl and region)."""
        if not isinstance(data, dict):
            return None
        access, expires = data.get("accessToken"), parse_time(data.get("expiresAt"))
        if not isinstance(access, str) or not access or expires is None:
            return None

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            start_url=text("startUrl") or "",
            region=text("region") or "",
            access_token=access,
            expires_at=expires,
            client_id=text("clientId"),
            client_secret=text("clientSecret"),
            registration_expires_at=parse_time(data.get("registrationExpiresAt")),
            refresh_token=text("refreshToken"),
        )


def default_cache_folder() -> Path:
    """`~/.aws/sso/cache`, from HOME at call time (botocore fixes it when imported)."""
    return Path(os.path.expanduser(os.path.join("~", ".aws", "sso", "cache")))


class TokenCache:
    """The cache folder; one JSON file per session."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = Path(folder) if folder is not None else None

    @property
    def folder(self) -> Path:
        return self._folder or default_cache_folder()

    def __repr__(self) -> str:
        return f"TokenCache({str(self.folder)!r})"

    def path(self, session: SsoSession) -> Path:
        return self.folder / f"{session.cache_key}.json"

    def load(self, session: SsoSession) -> SsoToken | None:
        """The cached sign-in, None if there is none or the file is not a token cache file."""
        try:
            data = json.loads(read_regular_file(self.path(session)))
        except (OSError, ValueError):
            return None
        return SsoToken.from_json(data)

    def save(self, session: SsoSession, token: SsoToken) -> None:
        """Atomically, 0600, in a 0700 folder; an error is one sentence, the old file kept."""
        ensure_private_folder(self.folder)
        path = self.path(session)
        guarded = GuardedFile(path, "SSO token cache file")
        guarded.check_replaceable()
        data = json.dumps(token.to_json()).encode("utf-8")
        try:
            atomic_write(Path(os.path.realpath(path)), data, 0o600)
        except OSError as error:
            raise CredentialsFileError(
                f"Cannot write {path} ({error.strerror}); it was left as it was."
            ) from None

    def remove(self, session: SsoSession) -> bool:
        """Delete the session's file (a sign-out); False when there was none."""
        path = self.path(session)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as error:
            raise CredentialsFileError(
                f"Cannot remove {path} ({error.strerror}); remove it yourself."
            ) from None
        return True

    @contextlib.contextmanager
    def locked(self, session: SsoSession) -> Iterator[None]:
        """Between roleswitch processes: one refresh at a time per session."""
        ensure_private_folder(self.folder)
        with GuardedFile(self.path(session), "SSO token cache file").locked():
            yield


def valid_token(
    session: SsoSession,
    *,
    cache: TokenCache | None = None,
    now: Callable[[], datetime] = _utc_now,
    timeouts: Timeouts | None = None,
) -> SsoToken:
    """A token that works now, refreshed first inside the last 15 minutes when it can be;
    else `SsoError` (code "login-needed") saying to run `roleswitch login SESSION`."""
    cache = cache or TokenCache()
    token = _matching(session, cache.load(session))
    if token.left(now()) > REFRESH_WINDOW:
        return token
    with cache.locked(session):
        token = _matching(session, cache.load(session))  # another process may have refreshed it
        if token.left(now()) > REFRESH_WINDOW:
            return token
        if token.refreshable(now()):
            try:
                token = refresh(session, token, now=now, timeouts=timeouts)
            except SsoError:
                if token.left(now()) > timedelta(0):
                    return token  # as botocore: a failed refresh keeps a token that still works
                raise
            cache.save(session, token)
            return token
    if token.left(now()) > timedelta(0):
        return token
    raise login_needed(session.name, "has ended (its sign-in expired)")


def _matching(session: SsoSession, token: SsoToken | None) -> SsoToken:
    if token is None:
        raise login_needed(session.name, "is not signed in")
    if token.start_url and token.start_url != session.start_url:
        raise login_needed(session.name, "was signed in to another start URL")
    return token


def refresh(
    session: SsoSession,
    token: SsoToken,
    *,
    now: Callable[[], datetime] = _utc_now,
    timeouts: Timeouts | None = None,
) -> SsoToken:
    """CreateToken with the refresh_token grant: a new access token, same registration."""
    from roleswitch.core.sso.calls import error_code, make_client, map_transport_error, within_deadline

    timeouts = timeouts or Timeouts()

    def call() -> dict:
        client = make_client("sso-oidc", session.region, timeouts)
        return client.create_token(
            grantType="refresh_token",
            clientId=token.client_id,
            clientSecret=token.client_secret,
            refreshToken=token.refresh_token,
        )

    try:
        answer = within_deadline(call, timeouts, "sso-oidc")
    except Exception as error:
        if error_code(error) in _REFUSED_REFRESH:
            raise login_needed(session.name, "cannot be renewed (its sign-in ended or was revoked)") from None
        raise map_transport_error(error, "sso-oidc") from None
    return token_from_answer(
        session, answer, now(), token.client_id, token.client_secret, token.registration_expires_at
    )


def token_from_answer(
    session: SsoSession,
    answer: dict,
    moment: datetime,
    client_id: str | None,
    client_secret: str | None,
    registration_expires_at: datetime | None,
) -> SsoToken:
    """The cache entry for a CreateToken answer, checked so nothing odd reaches the file."""
    access, expires_in = answer.get("accessToken"), answer.get("expiresIn")
    if not isinstance(access, str) or not access or not access.isprintable() or len(access) > 16384:
        raise SsoError(
            "IAM Identity Center answered without a usable access token; try again.", code="bad-answer"
        )
    if not isinstance(expires_in, int) or not 0 < expires_in <= 7 * 24 * 3600:
        raise SsoError(
            "IAM Identity Center answered with a token lifetime out of range; try again.", code="bad-answer"
        )
    refresh_token = answer.get("refreshToken")
    if not isinstance(refresh_token, str) or not refresh_token:
        refresh_token = None  # as botocore: an old refresh token is not kept (they are single-use)
    return SsoToken(
        start_url=session.start_url,
        region=session.region,
        access_token=access,
        expires_at=(moment + timedelta(seconds=expires_in)).replace(microsecond=0),
        client_id=client_id,
        client_secret=client_secret,
        registration_expires_at=registration_expires_at,
        refresh_token=refresh_token,
    )
