"""Console sign-in through the AWS federation endpoint, for each partition.

Two steps, as AWS documents them: GET `federation?Action=getSigninToken` with the
session's three values as `Session` JSON answers a sign-in token; the
`federation?Action=login` URL built from that token opens the console. That URL
is a credential for 15 minutes, so it never appears in a message, a log or a repr
(`SignInUrl` masks it), and neither does the request that carries the secret.

The endpoint is untrusted input like STS's: plain urllib (no SDK covers it), no
redirects followed, an answer capped in size and checked, and the whole call bound
by one deadline. `ROLESWITCH_FEDERATION_ENDPOINT` points it elsewhere (the local
stand-in in `roleswitch.local.federation`); plain http is allowed only to this
machine, since the request carries the secret key.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from roleswitch.core.deadline import within_deadline
from roleswitch.core.errors import RoleswitchError, ValidationError
from roleswitch.core.model import Credentials

ENDPOINT_VARIABLE = "ROLESWITCH_FEDERATION_ENDPOINT"
ISSUER = "roleswitch"
SIGN_IN_URL_LIFETIME = 15 * 60  # seconds: how long AWS accepts the login URL
MIN_SESSION_DURATION = 900
MAX_SESSION_DURATION = 43200  # SessionDuration on getSigninToken: 15 minutes to 12 hours
MIN_FEDERATION_TOKEN = 900
MAX_FEDERATION_TOKEN = 129600  # GetFederationToken DurationSeconds: 15 minutes to 36 hours
LONGEST_ANSWER = 64 * 1024  # a sign-in token is about 1 KB; anything this big is not one
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")

REGION_RE = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$", re.ASCII)
SERVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$", re.ASCII)
SIGNIN_TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-+/=.]{16,8192}$", re.ASCII)
_ARN_PARTITION_RE = re.compile(r"^arn:([a-z][a-z0-9-]{0,31}):", re.ASCII)

_Result = TypeVar("_Result")


class FederationError(RoleswitchError):
    """The sign-in endpoint refused, failed or could not be reached: one sentence."""


@dataclass(frozen=True, slots=True)
class Partition:
    """Where one AWS partition signs in and keeps its console."""

    name: str
    signin_host: str
    console_host: str
    regional_console: bool  # the console answers at REGION.console_host
    default_region: str

    def console_url(self, region: str, service: str = "console") -> str:
        host = f"{region}.{self.console_host}" if self.regional_console else self.console_host
        return f"https://{host}/{service}/home?region={region}"

    def owns(self, host: str) -> bool:
        return host == self.console_host or host.endswith("." + self.console_host)


PARTITIONS = {
    "aws": Partition("aws", "signin.aws.amazon.com", "console.aws.amazon.com", True, "us-east-1"),
    "aws-us-gov": Partition(
        "aws-us-gov", "signin.amazonaws-us-gov.com", "console.amazonaws-us-gov.com", False, "us-gov-west-1"
    ),
    "aws-cn": Partition("aws-cn", "signin.amazonaws.cn", "console.amazonaws.cn", False, "cn-north-1"),
}


@dataclass(frozen=True, slots=True)
class FederationTimeouts:
    """Bounds so a dead or dripping endpoint fails in seconds: `socket` per connect or
    read, and `deadline` over the whole request (a byte a second never trips a read timeout)."""

    socket: float = 5.0
    deadline: float = 8.0


@dataclass(frozen=True, slots=True)
class SignInUrl:
    """The login URL: a console credential until `SIGN_IN_URL_LIFETIME` has passed."""

    url: str = field(repr=False)

    def __repr__(self) -> str:
        return "SignInUrl('***')"

    __str__ = __repr__


# --- where to go ----------------------------------------------------------------------


def region_partition(region: str) -> Partition:
    if region.startswith("cn-"):
        return PARTITIONS["aws-cn"]
    if region.startswith("us-gov-"):
        return PARTITIONS["aws-us-gov"]
    if region.startswith(("us-iso", "eu-isoe", "eusc-")):
        raise ValidationError(f"region {region} has no console sign-in roleswitch knows of.")
    return PARTITIONS["aws"]


def check_region(region: str) -> str:
    if not REGION_RE.fullmatch(region):
        raise ValidationError(f"region '{region}' is not a region name like eu-west-1.")
    return region


def default_region(arn: str | None) -> str:
    """Where to land when no region is known: the partition's first region."""
    match = _ARN_PARTITION_RE.match(arn or "")
    partition = PARTITIONS.get(match[1]) if match else None
    return (partition or PARTITIONS["aws"]).default_region


def partition_for(region: str, arn: str | None) -> Partition:
    """The partition of the role's ARN (when known), which the region must agree with."""
    by_region = region_partition(check_region(region))
    match = _ARN_PARTITION_RE.match(arn or "")
    if match is None:
        return by_region
    name = match[1]
    if name not in PARTITIONS:
        raise ValidationError(f"partition {name} has no console sign-in roleswitch knows of.")
    if PARTITIONS[name] is not by_region:
        raise ValidationError(
            f"region {region} is not in the role's partition ({name}); pick a region of {name} with --region."
        )
    return PARTITIONS[name]


def destination_url(partition: Partition, region: str, destination: str | None) -> str:
    """The console page to land on: a service's home in the region, or a console URL as given."""
    if destination is None or destination == "":
        return partition.console_url(region)
    if destination.startswith("https://"):
        parts = urllib.parse.urlsplit(destination)
        if (
            len(destination) > 2048
            or not destination.isprintable()
            or " " in destination
            or parts.username
            or parts.password
            or not parts.hostname
            or not partition.owns(parts.hostname)
        ):
            raise ValidationError(
                f"--destination must be a service name like s3, or an https:// URL on "
                f"{partition.console_host}; nothing was opened."
            )
        return destination
    if not SERVICE_RE.match(destination):
        raise ValidationError(
            f"--destination '{destination}' is neither a service name like s3 or ec2 nor an "
            f"https:// console URL; nothing was opened."
        )
    return partition.console_url(region, destination)


def federation_endpoint(partition: Partition, environ: Mapping[str, str]) -> str:
    """The partition's federation endpoint, or `ROLESWITCH_FEDERATION_ENDPOINT` when set."""
    override = environ.get(ENDPOINT_VARIABLE, "").strip()
    if not override:
        return f"https://{partition.signin_host}/federation"
    parts = urllib.parse.urlsplit(override)
    local = parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS
    if (
        not (parts.scheme == "https" or local)
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.query
        or parts.fragment
        or not override.isprintable()
    ):
        raise ValidationError(
            f"{ENDPOINT_VARIABLE} must be an https:// URL, or http:// to this machine (127.0.0.1), "
            "with no query; unset it or fix it."
        )
    return override


def session_duration(seconds: int | None, *, chained: bool, who: str) -> int | None:
    """The SessionDuration to ask for: 900 to 43200 seconds, and none at all for a
    session from a chained role, for which AWS refuses the parameter."""
    if seconds is None:
        return None
    if chained:
        raise ValidationError(
            f"{who} is assumed with temporary credentials (role chaining), and AWS refuses a console "
            "session length for those; run it again without --duration."
        )
    if not MIN_SESSION_DURATION <= seconds <= MAX_SESSION_DURATION:
        raise ValidationError(
            f"console session length {seconds}s is outside what AWS allows (900s to 43200s, "
            "15 minutes to 12 hours)."
        )
    return seconds


# --- the two requests ---------------------------------------------------------------------


def session_json(credentials: Credentials) -> str:
    """The `Session` parameter: exactly the session's three values."""
    return json.dumps(
        {
            "sessionId": credentials.access_key_id,
            "sessionKey": credentials.secret_access_key,
            "sessionToken": credentials.session_token,
        },
        separators=(",", ":"),
    )


def signin_token_request(endpoint: str, credentials: Credentials, duration: int | None) -> str:
    query = [("Action", "getSigninToken")]
    if duration is not None:
        query.append(("SessionDuration", str(duration)))
    query.append(("Session", session_json(credentials)))
    return f"{endpoint}?{urllib.parse.urlencode(query)}"


def login_url(endpoint: str, token: str, destination: str, issuer: str = ISSUER) -> SignInUrl:
    query = [("Action", "login"), ("Issuer", issuer), ("Destination", destination), ("SigninToken", token)]
    return SignInUrl(f"{endpoint}?{urllib.parse.urlencode(query)}")


def fetch_signin_token(
    endpoint: str,
    credentials: Credentials,
    *,
    duration: int | None = None,
    timeouts: FederationTimeouts | None = None,
) -> str:
    """GET a sign-in token for the session; `FederationError` with one sentence on failure."""
    timeouts = timeouts or FederationTimeouts()
    request_url = signin_token_request(endpoint, credentials, duration)
    host = urllib.parse.urlsplit(endpoint).hostname or "?"

    def call() -> bytes:
        return _get(request_url, timeouts)

    try:
        body = within_deadline(
            call, timeouts.deadline, _no_answer(host, timeouts.deadline), name="roleswitch-federation-call"
        )
    except FederationError:
        raise
    except urllib.error.HTTPError as error:
        raise _refused(error.code, host) from None
    except TimeoutError:
        raise _no_answer(host, timeouts.deadline) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        if isinstance(getattr(error, "reason", None), TimeoutError):
            raise _no_answer(host, timeouts.deadline) from None
        raise _unreachable(host, error) from None
    return _token_from(body)


def _get(url: str, timeouts: FederationTimeouts) -> bytes:
    """One GET: no proxy for this machine, no redirect followed, at most LONGEST_ANSWER read."""
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if urllib.parse.urlsplit(url).hostname in LOOPBACK_HOSTS:
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": ISSUER})
    with opener.open(request, timeout=timeouts.socket) as response:
        return response.read(LONGEST_ANSWER + 1)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 3xx then surfaces as an HTTPError: getSigninToken never redirects


def _token_from(body: bytes) -> str:
    if len(body) > LONGEST_ANSWER:
        raise _not_a_token()
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _not_a_token() from None
    token = answer.get("SigninToken") if isinstance(answer, dict) else None
    if not isinstance(token, str) or not SIGNIN_TOKEN_RE.match(token):
        raise _not_a_token()
    return token


def _refused(status: int, host: str) -> FederationError:
    if 400 <= status < 500:
        return FederationError(
            f"The AWS sign-in endpoint ({host}) refused the session (HTTP {status}: its credentials are "
            "not valid or have expired, or the console session length is not allowed for it); renew "
            "the session and try again."
        )
    return FederationError(
        f"The AWS sign-in endpoint ({host}) failed (HTTP {status}); try again in a minute."
    )


def _unreachable(host: str, error: BaseException) -> FederationError:
    reason = getattr(error, "reason", error)
    what = getattr(reason, "strerror", None) or type(reason).__name__
    return FederationError(
        f"Could not reach the AWS sign-in endpoint ({host}: {what}); check the network, or "
        f"{ENDPOINT_VARIABLE} if you set it."
    )


def _no_answer(host: str, deadline: float) -> FederationError:
    return FederationError(
        f"The AWS sign-in endpoint ({host}) did not answer within {deadline:.0f}s; check the network, "
        f"or {ENDPOINT_VARIABLE} if you set it, and try again."
    )


def _not_a_token() -> FederationError:
    return FederationError(
        "The AWS sign-in endpoint answered with something that is not a sign-in token; check "
        f"{ENDPOINT_VARIABLE} (or a proxy in between) and try again."
    )


# --- long-term IAM user keys ------------------------------------------------------------------

# The federated user's permissions are this policy intersected with the IAM user's own:
# without a policy, GetFederationToken's session can do nothing at all.
_EVERYTHING_THE_USER_MAY = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    separators=(",", ":"),
)
FEDERATED_NAME_RE = re.compile(r"[^\w+=,.@-]", re.ASCII)


def federated_user_name(raw: str) -> str:
    """A GetFederationToken Name: 2 to 32 characters of `[\\w+=,.@-]`."""
    name = FEDERATED_NAME_RE.sub("-", raw).strip("-")[:32]
    return name if len(name) >= 2 else "roleswitch"


def federation_token_duration(seconds: int | None) -> int | None:
    if seconds is not None and not MIN_FEDERATION_TOKEN <= seconds <= MAX_FEDERATION_TOKEN:
        raise ValidationError(
            f"console session length {seconds}s is outside what GetFederationToken allows "
            "(900s to 129600s, 15 minutes to 36 hours)."
        )
    return seconds


def federation_token(
    session,  # a boto3.Session holding long-term IAM user keys
    *,
    profile: str,
    name: str,
    duration: int | None,
    region: str,
    timeouts=None,
) -> Credentials:
    """Temporary credentials for a federated user named `name`, from long-term keys that
    cannot sign in to the console themselves; one sentence on failure."""
    from botocore.config import Config

    from roleswitch.core.sts import Timeouts, quiet_sdk_debug_logs, usable_credentials

    timeouts = timeouts or Timeouts()
    quiet_sdk_debug_logs()
    params: dict[str, object] = {"Name": federated_user_name(name), "Policy": _EVERYTHING_THE_USER_MAY}
    if duration is not None:
        params["DurationSeconds"] = federation_token_duration(duration)
    config = Config(
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"total_max_attempts": timeouts.attempts, "mode": "standard"},
    )

    def call() -> dict:
        return session.client("sts", region_name=region, config=config).get_federation_token(**params)

    late = FederationError(
        f"STS did not answer within {timeouts.deadline:.0f}s; check the network, or "
        "AWS_ENDPOINT_URL_STS if you set it, and try again."
    )
    try:
        response = within_deadline(call, timeouts.deadline, late, name="roleswitch-federation-call")
    except FederationError:
        raise
    except Exception as error:  # mapped to one sentence
        raise _federation_token_failed(error, profile) from None
    from datetime import UTC, datetime

    return usable_credentials(response, datetime.now(UTC))


def _federation_token_failed(error: Exception, profile: str) -> RoleswitchError:
    from botocore.exceptions import ClientError

    from roleswitch.core.model import Target
    from roleswitch.core.sts import map_error

    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code == "AccessDenied":
            return FederationError(
                f"Access denied getting a federation token for profile '{profile}' "
                "(sts:GetFederationToken); allow it in the IAM user's policy, or open the console "
                "through a role."
            )
    # Network, bad or expired keys, throttling: the STS client's own sentences.
    stand_in = Target(
        name=profile, origin="aws-config", role_arn="", account_id="", role_name="", source_profile=profile
    )
    return map_error(error, stand_in)
