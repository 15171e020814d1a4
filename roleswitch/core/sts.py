"""AssumeRole through boto3, with every failure mapped to one sentence.

boto3 is imported inside `assume`, never at module load: listing, status and
the app's first frame do not pay for it. Endpoints are resolved by boto3 itself,
so `AWS_ENDPOINT_URL_STS` redirects calls with no code here. That makes the
endpoint untrusted input: every call runs under an overall deadline, and every
answer is checked before anything uses it (see `usable_credentials`).
"""

from __future__ import annotations

import getpass
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from roleswitch.core import validate
from roleswitch.core.clock import Clock, SystemClock
from roleswitch.core.deadline import within_deadline
from roleswitch.core.errors import AssumeError
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.mfa_sessions import source_label as mfa_source_label
from roleswitch.core.model import CHAINED_LIMIT, AssumeResult, Credentials, Settings, Target

DEFAULT_REGION = "us-east-1"

_BAD_SOURCE_CODES = {
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "InvalidAccessKeyId",
    "AuthFailure",
}
_EXPIRED_SOURCE_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_THROTTLE_CODES = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}

# What an STS answer may hold. The values end up in INI files and HTTP headers,
# so a newline or a space in them is an injection, not a credential.
ACCESS_KEY_ID_RE = re.compile(r"^[A-Z0-9]{16,128}$", re.ASCII)
SECRET_KEY_RE = re.compile(r"^[A-Za-z0-9+/=]{1,1024}$", re.ASCII)
SESSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9+/=]{1,16384}$", re.ASCII)
ASSUMED_ROLE_ARN_RE = re.compile(
    r"^arn:[a-z][a-z0-9-]{0,31}:sts::\d{12}:assumed-role/[\x21-\x7e]{3,2000}$", re.ASCII
)
# GetSessionToken grants at most 36 hours, AssumeRole 12; the slack is for clock skew.
LONGEST_LIFETIME = timedelta(hours=36, minutes=15)
BACKOFF_ALLOWANCE = 2.0  # standard-mode retry backoff between two attempts stays under this

_Result = TypeVar("_Result")


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Bounds that make a dead or silent endpoint fail within seconds, not minutes.

    Worst case: attempts x (connect + read) plus standard-mode backoff (under 2s).
    """

    connect: float = 3.0
    read: float = 5.0
    attempts: int = 2

    @property
    def deadline(self) -> float:
        """The bound on one whole call. botocore's read timeout counts per socket read,
        so an endpoint dripping a byte at a time never trips it; this does."""
        return self.attempts * (self.connect + self.read) + BACKOFF_ALLOWANCE


def quiet_sdk_debug_logs() -> None:
    """botocore logs whole responses, secrets included, at DEBUG: never let it here.

    Secrecy wins over debug output in a credentials tool; INFO and above still flow.
    """
    for name in ("botocore", "boto3", "urllib3", "s3transfer"):
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def default_session_name() -> str:
    try:
        user = getpass.getuser()
    except Exception:
        user = "roleswitch"
    return validate.clean_session_name(user)


class StsClient:
    """Assumes targets. One instance serves the whole app; it holds no secrets itself.

    With `mfa_sessions`, an MFA role is assumed with a cached MFA session
    (GetSessionToken), so one code serves every renewal until that session ends.
    """

    def __init__(
        self,
        timeouts: Timeouts | None = None,
        *,
        mfa_sessions: MfaSessionStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.timeouts = timeouts or Timeouts()
        self.mfa_sessions = mfa_sessions
        self.clock = clock or SystemClock()

    def __repr__(self) -> str:
        return "StsClient()"

    def assume(
        self,
        target: Target,
        *,
        settings: Settings | None = None,
        mfa_code: str | None = None,
        duration: int | None = None,
    ) -> AssumeResult:
        """Call STS AssumeRole for `target`; raise `AssumeError` with a sentence on failure.

        For an MFA role, a given `mfa_code` always starts a new MFA session;
        without one, the cached session is used, or `mfa-required` is raised.
        """
        settings = settings or Settings()
        if not target.valid:
            raise AssumeError(f"{target.name} cannot be assumed: {target.problem}", code="invalid")
        if target.sso_session is not None:
            return self._assume_sso(target, settings, duration)
        params = self._parameters(target, settings, duration)
        if mfa_code is not None:
            mfa_code = validate.mfa_code(mfa_code)
        quiet_sdk_debug_logs()
        if not target.mfa_serial:
            return self._assume_role(target, params)
        validate.mfa_serial(target.mfa_serial)
        if self.mfa_sessions is None:
            return self._assume_role(target, {**params, **self._mfa_parameters(target, mfa_code)})
        return self._assume_with_mfa_session(target, settings, params, mfa_code)

    def _assume_sso(self, target: Target, settings: Settings, duration: int | None) -> AssumeResult:
        """An SSO role: GetRoleCredentials, no STS call and never MFA (Identity Center signed
        the person in). A role chained from one: those credentials, then AssumeRole, for at
        most the hour STS allows a chained session. `SsoError` (code "login-needed" when the
        sign-in ended) says what to do."""
        from roleswitch.core.sso.assume import sso_credentials

        quiet_sdk_debug_logs()
        if target.sso_source is None:
            # No SSO target carries a duration of its own: one here was asked for (serve --duration).
            if duration is not None or target.duration_seconds is not None:
                raise AssumeError(
                    f"{target.name} is an IAM Identity Center role: its session length is set in "
                    "Identity Center (the permission set), not by roleswitch; run it without --duration.",
                    code="invalid",
                )
            credentials = sso_credentials(target, self.timeouts, self.clock.now)
            # GetRoleCredentials names no session: the role is all that can honestly be said.
            return AssumeResult(target, credentials, target.role_arn, self._region(target))
        if duration is not None and duration > CHAINED_LIMIT:
            raise AssumeError(
                f"{target.name} is assumed with the credentials of an SSO role, and STS ends such a "
                "chained session within 1 hour; use --duration 1h or less.",
                code="invalid",
            )
        seconds = duration or target.duration_seconds or min(settings.duration_seconds, CHAINED_LIMIT)
        params = self._parameters(target, settings, seconds)
        credentials = sso_credentials(target, self.timeouts, self.clock.now)
        return self._assume_role(target, params, credentials)

    def _region(self, target: Target) -> str:
        """Where the role's SDK calls go: its own region, else what the STS client would use."""
        if target.region:
            return target.region
        try:
            return self._source_session(target).region_name or DEFAULT_REGION
        except Exception:  # a missing AWS_PROFILE: botocore's own sentence is for another command
            return DEFAULT_REGION

    def _assume_with_mfa_session(
        self, target: Target, settings: Settings, params: dict[str, object], code: str | None
    ) -> AssumeResult:
        store = self.mfa_sessions
        assert store is not None
        cached = store.credentials(target, self.clock.now()) if code is None else None
        if cached is not None:
            try:
                return self._assume_role(target, params, cached)
            except AssumeError as error:
                if error.code not in ("bad-source", "expired-source"):
                    raise
                store.forget(target)
                raise AssumeError(
                    f"STS refused the MFA session of {mfa_source_label(target)} (it expired or was "
                    f"revoked), so roleswitch forgot it; enter a new code from {target.mfa_serial}.",
                    code="mfa-session-ended",
                ) from None
        if code is None:
            raise _mfa_required(target)
        session = self._get_session_token(target, settings, code)
        if session is None:  # the source is itself temporary: MFA goes on the AssumeRole call
            return self._assume_role(target, {**params, **self._mfa_parameters(target, code)})
        store.save(target, session)
        return self._assume_role(target, params, session)

    def _parameters(self, target: Target, settings: Settings, duration: int | None) -> dict[str, object]:
        seconds = validate.duration(duration or target.duration_seconds or settings.duration_seconds)
        name = target.session_name or settings.session_name or default_session_name()
        params: dict[str, object] = {
            "RoleArn": validate.role_arn(target.role_arn),
            "RoleSessionName": validate.session_name(name),
            "DurationSeconds": seconds,
        }
        if target.external_id:
            params["ExternalId"] = validate.external_id(target.external_id)
        return params

    @staticmethod
    def _mfa_parameters(target: Target, code: str | None) -> dict[str, object]:
        if code is None:
            raise _mfa_required(target)
        return {"SerialNumber": target.mfa_serial, "TokenCode": code}

    def _client(self, target: Target, credentials: Credentials | None = None):
        session = self._source_session(target)
        region = target.region or session.region_name or DEFAULT_REGION
        keys = {}
        if credentials is not None:
            keys = {
                "aws_access_key_id": credentials.access_key_id,
                "aws_secret_access_key": credentials.secret_access_key,
                "aws_session_token": credentials.session_token,
            }
        return session.client("sts", region_name=region, config=self._config(), **keys), region

    def _assume_role(
        self, target: Target, params: dict[str, object], credentials: Credentials | None = None
    ) -> AssumeResult:
        def call() -> tuple[dict, str]:
            client, region = self._client(target, credentials)
            return client.assume_role(**params), region

        try:
            response, region = self._within_deadline(call)
        except Exception as error:  # mapped to one sentence below
            raise map_error(error, target) from None
        return AssumeResult(
            target=target,
            credentials=usable_credentials(response, self.clock.now()),
            assumed_arn=_assumed_role_arn(response),
            region=region,
        )

    def _get_session_token(self, target: Target, settings: Settings, code: str) -> Credentials | None:
        """A new MFA session for the target's source; None if the source cannot have one."""
        seconds = validate.session_token_duration(settings.mfa_session_seconds)

        def call() -> dict:
            client, _ = self._client(target)
            return client.get_session_token(
                SerialNumber=target.mfa_serial, TokenCode=code, DurationSeconds=seconds
            )

        try:
            response = self._within_deadline(call)
        except Exception as error:
            if _refuses_temporary_source(error):
                return None
            raise map_error(error, target, getting_mfa_session=True) from None
        return usable_credentials(response, self.clock.now())

    def _within_deadline(self, call: Callable[[], _Result]) -> _Result:
        """Run `call` (client creation included: a chained source calls STS too) under the
        overall deadline (see roleswitch.core.deadline)."""
        deadline = self.timeouts.deadline
        late = AssumeError(
            f"STS did not answer within {deadline:.0f}s; check the network, or "
            "AWS_ENDPOINT_URL_STS if you set it, and try again.",
            code="no-connection",
        )
        return within_deadline(call, deadline, late, name="roleswitch-sts-call")

    def _source_session(self, target: Target):
        """The session STS is called through. botocore reads only the source profile's
        chain from the AWS files (see roleswitch.core.aws.source_session): at thousands
        of profiles, parsing the whole config again would cost seconds per call."""
        from roleswitch.core.aws.source_session import source_session

        if target.sso_session is not None:
            return source_session()  # the credentials come from Identity Center, passed in
        if target.source_profile:
            return source_session(target.source_profile)
        if target.credential_source == "Environment":
            return source_session(
                aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
            )
        return source_session()

    def _config(self):
        from botocore.config import Config

        return Config(
            connect_timeout=self.timeouts.connect,
            read_timeout=self.timeouts.read,
            retries={"total_max_attempts": self.timeouts.attempts, "mode": "standard"},
        )


def _mfa_required(target: Target) -> AssumeError:
    return AssumeError(f"{target.name} needs an MFA code from {target.mfa_serial}.", code="mfa-required")


def usable_credentials(response: dict, now: datetime) -> Credentials:
    """The answer's credentials, once each part is shaped as STS makes it and the expiry
    is in the future but not beyond what STS grants; else one sentence, nothing used.

    The reasons never quote the values: a secret must not reach a terminal.
    """
    creds = response.get("Credentials")
    if not isinstance(creds, dict):
        raise _unusable("the answer holds no credentials")
    key_id = creds.get("AccessKeyId")
    if not isinstance(key_id, str) or not ACCESS_KEY_ID_RE.match(key_id):
        raise _unusable("the access key id is not 16 to 128 capital letters and digits")
    secret = creds.get("SecretAccessKey")
    if not isinstance(secret, str) or not SECRET_KEY_RE.match(secret):
        raise _unusable("the secret key is empty, too long, or holds characters outside base64")
    token = creds.get("SessionToken")
    if not isinstance(token, str) or not SESSION_TOKEN_RE.match(token):
        raise _unusable("the session token is empty, too long, or holds characters outside base64")
    expiration = creds.get("Expiration")
    if not isinstance(expiration, datetime):
        raise _unusable("the expiration is missing or not a time")
    if expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)
    if expiration <= now:
        raise _unusable(f"they expired at {_moment(expiration)}, before they arrived")
    if expiration - now > LONGEST_LIFETIME:
        raise _unusable(f"they claim to last until {_moment(expiration)}, longer than STS ever grants")
    return Credentials(key_id, secret, token, expiration)


def _assumed_role_arn(response: dict) -> str:
    user = response.get("AssumedRoleUser")
    arn = user.get("Arn") if isinstance(user, dict) else None
    if not isinstance(arn, str) or len(arn) > 2048 or not ASSUMED_ROLE_ARN_RE.match(arn):
        raise _unusable("the assumed-role ARN is missing or not an ARN")
    return arn


def _unusable(reason: str) -> AssumeError:
    return AssumeError(
        f"STS answered with credentials roleswitch cannot use ({reason}); nothing was written.",
        code="bad-answer",
    )


def _moment(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _refuses_temporary_source(error: Exception) -> bool:
    """GetSessionToken cannot be called with temporary credentials (a role or SSO source)."""
    from botocore.exceptions import ClientError

    if not isinstance(error, ClientError):
        return False
    message = error.response.get("Error", {}).get("Message", "").lower()
    return "session credentials" in message or "temporary credentials" in message


def map_error(error: Exception, target: Target, *, getting_mfa_session: bool = False) -> AssumeError:
    """One plain sentence for whatever went wrong, naming the next step."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    if isinstance(error, AssumeError):
        return error
    if isinstance(error, ResponseParserError):
        return AssumeError(
            "The STS endpoint answered with something that is not an STS response; check "
            "AWS_ENDPOINT_URL_STS (or a proxy in between) and try again.",
            code="no-connection",
        )
    source = target.source_profile or target.credential_source or "the default credentials"
    source_label = f"source profile '{source}'" if target.source_profile else source
    if isinstance(error, bx.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code == "AccessDenied" and "MultiFactorAuthentication" in message:
            return AssumeError(
                "The MFA code was not accepted; wait for the next code and try again.",
                code="mfa-rejected",
            )
        if code == "AccessDenied" and getting_mfa_session:
            return AssumeError(
                f"Access denied starting an MFA session for {source_label} (sts:GetSessionToken "
                f"with {target.mfa_serial}); check the device serial and the user's policy.",
                code="access-denied",
            )
        if code == "AccessDenied":
            return AssumeError(
                f"Access denied assuming {target.role_arn}: {source_label} is not allowed to "
                "(no sts:AssumeRole permission, or the role's trust policy or external id does "
                "not match); check the role's trust policy.",
                code="access-denied",
            )
        if code in _BAD_SOURCE_CODES:
            return AssumeError(
                f"The credentials of {source_label} are not valid; update them "
                f"(aws configure --profile {source}) and try again.",
                code="bad-source",
            )
        if code in _EXPIRED_SOURCE_CODES:
            return AssumeError(
                f"The credentials of {source_label} have expired; refresh them "
                f"(for SSO: aws sso login --profile {source}) and try again.",
                code="expired-source",
            )
        if code == "RegionDisabledException":
            return AssumeError(
                f"STS is not activated in region {target.region or 'of this profile'} for this "
                "account; set another region or activate it in IAM account settings.",
                code="region-disabled",
            )
        if code in _THROTTLE_CODES:
            return AssumeError(
                "AWS STS is throttling requests; wait a few seconds and try again.",
                code="throttled",
            )
        if code in ("ValidationError", "MalformedPolicyDocument", "PackedPolicyTooLarge"):
            return AssumeError(f"STS rejected the request: {_one_line(message)}", code="invalid")
        return AssumeError(f"STS refused: {code or 'unknown error'}: {_one_line(message)}")
    if isinstance(error, bx.ProfileNotFound):
        return AssumeError(
            f"Source profile '{source}' does not exist; add it to ~/.aws/config or ~/.aws/credentials.",
            code="bad-source",
        )
    if isinstance(error, bx.NoCredentialsError | bx.PartialCredentialsError):
        return AssumeError(
            f"No credentials were found for {source_label}; configure them "
            f"(aws configure --profile {source}) and try again.",
            code="bad-source",
        )
    if isinstance(error, bx.SSOError | bx.UnauthorizedSSOTokenError | bx.SSOTokenLoadError):
        return AssumeError(
            f"The SSO session of {source_label} has ended; run aws sso login --profile "
            f"{source} and try again.",
            code="expired-source",
        )
    if isinstance(error, bx.ConfigParseError):
        path = getattr(error, "kwargs", {}).get("path") or "the AWS config or credentials file"
        return AssumeError(
            f"AWS tools cannot read {path}; `roleswitch list` shows the line to fix, then try again.",
            code="config",
        )
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return AssumeError(
            f"Could not connect to STS ({_endpoint(error)}); check the network, or "
            "AWS_ENDPOINT_URL_STS if you set it.",
            code="no-connection",
        )
    if isinstance(error, bx.ReadTimeoutError | bx.ConnectionClosedError):
        return AssumeError(
            f"STS did not answer in time ({_endpoint(error)}); check the network and try again.",
            code="no-connection",
        )
    if isinstance(error, bx.CredentialRetrievalError):
        return AssumeError(_source_process_failed(error, source_label), code="bad-source")
    if isinstance(error, bx.ParamValidationError):
        return AssumeError(f"The request is not valid: {_one_line(str(error))}", code="invalid")
    if isinstance(error, bx.BotoCoreError | OSError | ValueError):
        return AssumeError(
            f"The call to STS failed ({type(error).__name__}); check the network and the "
            f"{source_label}, then try again.",
        )
    return AssumeError(f"Unexpected error while assuming {target.name}: {type(error).__name__}.")


def _source_process_failed(error: Exception, source_label: str) -> str:
    """A source's `credential_process` failed. Its stderr is quoted only when it is
    roleswitch's own sentence (a nested credential-process): another program's
    output is not ours to show, and could hold anything."""
    said = str(getattr(error, "kwargs", {}).get("error_msg") or "").strip()
    if said.startswith("roleswitch: ") and "\n" not in said and len(said) <= 600:
        return f"The credential_process of {source_label} failed: {said.removeprefix('roleswitch: ')}"
    return (
        f"The credential_process of {source_label} failed; run it by hand to see why, fix it, and try again."
    )


def _endpoint(error: Exception) -> str:
    url = getattr(error, "kwargs", {}).get("endpoint_url")
    return url or "endpoint unreachable"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."
