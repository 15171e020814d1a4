"""AssumeRole through boto3, with every failure mapped to one sentence.

boto3 is imported inside `assume`, never at module load: listing, status and
the app's first frame do not pay for it. Endpoints are resolved by boto3 itself,
so `AWS_ENDPOINT_URL_STS` redirects calls with no code here.
"""

from __future__ import annotations

import getpass
import logging
import os
from dataclasses import dataclass

from roleswitch.core import validate
from roleswitch.core.errors import AssumeError
from roleswitch.core.model import AssumeResult, Credentials, Settings, Target

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


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Bounds that make a dead or silent endpoint fail within seconds, not minutes.

    Worst case: attempts x (connect + read) plus standard-mode backoff (under 2s).
    """

    connect: float = 3.0
    read: float = 5.0
    attempts: int = 2


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
    """Assumes targets. One instance serves the whole app; it holds no secrets."""

    def __init__(self, timeouts: Timeouts | None = None) -> None:
        self.timeouts = timeouts or Timeouts()

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
        """Call STS AssumeRole for `target`; raise `AssumeError` with a sentence on failure."""
        settings = settings or Settings()
        if not target.valid:
            raise AssumeError(f"{target.name} cannot be assumed: {target.problem}", code="invalid")
        params = self._parameters(target, settings, mfa_code, duration)
        quiet_sdk_debug_logs()
        try:
            session = self._source_session(target)
            region = target.region or session.region_name or DEFAULT_REGION
            client = session.client("sts", region_name=region, config=self._config())
            response = client.assume_role(**params)
        except Exception as error:  # mapped to one sentence below
            raise map_error(error, target) from None
        creds = response["Credentials"]
        return AssumeResult(
            target=target,
            credentials=Credentials(
                access_key_id=creds["AccessKeyId"],
                secret_access_key=creds["SecretAccessKey"],
                session_token=creds["SessionToken"],
                expiration=creds["Expiration"],
            ),
            assumed_arn=response.get("AssumedRoleUser", {}).get("Arn", ""),
            region=region,
        )

    def _parameters(
        self, target: Target, settings: Settings, mfa_code: str | None, duration: int | None
    ) -> dict[str, object]:
        seconds = validate.duration(duration or target.duration_seconds or settings.duration_seconds)
        name = target.session_name or settings.session_name or default_session_name()
        params: dict[str, object] = {
            "RoleArn": validate.role_arn(target.role_arn),
            "RoleSessionName": validate.session_name(name),
            "DurationSeconds": seconds,
        }
        if target.external_id:
            params["ExternalId"] = validate.external_id(target.external_id)
        if target.mfa_serial:
            if mfa_code is None:
                raise AssumeError(
                    f"{target.name} needs an MFA code from {target.mfa_serial}.", code="mfa-required"
                )
            params["SerialNumber"] = validate.mfa_serial(target.mfa_serial)
            params["TokenCode"] = validate.mfa_code(mfa_code)
        return params

    def _source_session(self, target: Target):
        import boto3

        if target.source_profile:
            return boto3.Session(profile_name=target.source_profile)
        if target.credential_source == "Environment":
            return boto3.Session(
                aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
                aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
                aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
            )
        return boto3.Session()

    def _config(self):
        from botocore.config import Config

        return Config(
            connect_timeout=self.timeouts.connect,
            read_timeout=self.timeouts.read,
            retries={"total_max_attempts": self.timeouts.attempts, "mode": "standard"},
        )


def map_error(error: Exception, target: Target) -> AssumeError:
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
        return AssumeError(
            f"The AWS config or credentials file cannot be parsed ({error}); fix it and try again.",
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
    if isinstance(error, bx.ParamValidationError):
        return AssumeError(f"The request is not valid: {_one_line(str(error))}", code="invalid")
    if isinstance(error, bx.BotoCoreError | OSError | ValueError):
        return AssumeError(
            f"The call to STS failed ({type(error).__name__}); check the network and the "
            f"{source_label}, then try again.",
        )
    return AssumeError(f"Unexpected error while assuming {target.name}: {type(error).__name__}.")


def _endpoint(error: Exception) -> str:
    url = getattr(error, "kwargs", {}).get("endpoint_url")
    return url or "endpoint unreachable"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith(".") else text + "."
