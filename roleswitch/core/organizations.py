"""One role in every account of an AWS organisation, from a `[[discover.organizations]]` table.

    [[discover.organizations]]
    source_profile = "mgmt"                      # credentials in the management account
    role_name = "OrganizationAccountAccessRole"  # offered in every ACTIVE member account
    # optional: name (default: source_profile), region, mfa_serial, duration,
    # external_id, session_name, as roleswitch's TOML roles take them

Discovery is DescribeOrganization (the management account's id, the partition) then
ListAccounts, page by page, through the source profile's credentials. Each call is
bounded by the overall deadline of `Timeouts`; TooManyRequestsException is retried with
jittered backoff a bounded number of times. The management account is skipped (the
role does not exist there), and so is every account that is not ACTIVE.

Targets are named `NAME/ACCOUNT_NAME/ROLE_NAME` by the same rule as SSO discovery
(see roleswitch.core.sso.discovery): each part cleaned by `name_part`, and two accounts
whose names clean alike both get `-ACCOUNT_ID`. The result is cached per organisation
(ids and names only) in roleswitch's cache folder, see `OrganizationCache`.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from roleswitch.core import paths, validate
from roleswitch.core.deadline import within_deadline
from roleswitch.core.errors import RoleswitchError, ValidationError
from roleswitch.core.ini import section_name_problem
from roleswitch.core.json_cache import JsonCache
from roleswitch.core.model import Target
from roleswitch.core.sso.discovery import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    MAX_PAGES,
    THROTTLE_ATTEMPTS,
    DiscoveredAccount,
    Discovery,
    name_part,
)
from roleswitch.core.sts import DEFAULT_REGION, Timeouts, quiet_sdk_debug_logs

ORIGIN = "organizations"
CACHE_PREFIX = "organization-"  # OrganizationCache's file names: CACHE_PREFIX + SHA-1 + ".json"
PAGE_SIZE = 20  # ListAccounts' largest page
_FORMAT = 1
_KEYS = {
    "name",
    "source_profile",
    "role_name",
    "region",
    "mfa_serial",
    "duration",
    "external_id",
    "session_name",
}
_ACCOUNT_ID_RE = re.compile(r"^\d{12}$", re.ASCII)
_PARTITION_RE = re.compile(r"^aws(-[a-z]+){0,3}$", re.ASCII)
_HEADER_RE = re.compile(r"""^\s*\[\[\s*["']?discover["']?\s*\.\s*["']?organizations["']?\s*\]\]""")
_VARIABLE = "AWS_ENDPOINT_URL_ORGANIZATIONS"
_THROTTLE_CODES = {"TooManyRequestsException", "ThrottlingException", "Throttling"}
_SOURCE_CODES = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
}


class OrganizationsError(RoleswitchError):
    """Listing an organisation's accounts failed; `str(error)` is one sentence saying what to do.

    Codes: "bad-source" (no or bad credentials for the source profile), "access-denied",
    "not-in-use", "no-connection", "throttled", "bad-answer", "error"."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class OrganizationSpec:
    """One `[[discover.organizations]]` entry, checked."""

    name: str
    source_profile: str
    role_name: str
    region: str | None = None
    mfa_serial: str | None = None
    duration_seconds: int | None = None
    external_id: str | None = None
    session_name: str | None = None
    file: str = ""
    line: int | None = None


@dataclass(frozen=True, slots=True)
class OrganizationAccounts:
    """The ACTIVE member accounts of an organisation, management account left out."""

    spec_name: str
    source_profile: str
    management_account_id: str
    fetched_at: datetime
    accounts: tuple[tuple[str, str], ...]  # (id, name)
    partition: str = "aws"


# --- the TOML entries ---------------------------------------------------------


def load_organization_specs(toml_path: Path | None = None) -> tuple[list[OrganizationSpec], list[str]]:
    """The specs of roleswitch's TOML and the problems found reading it."""
    from roleswitch.core.catalogue import _read_toml  # the one TOML reader, with its sentences

    toml_path = Path(toml_path or paths.roleswitch_config_path())
    problems: list[str] = []
    data, text = _read_toml(toml_path, problems)
    return organization_specs(data, toml_path, text, problems), problems


def organization_specs(
    toml_data: Mapping[str, Any], path: Path, text: str, problems: list[str]
) -> list[OrganizationSpec]:
    """The valid entries of `discover.organizations`; each bad one adds a sentence to
    `problems` and is skipped."""
    discover = toml_data.get("discover", {})
    if not isinstance(discover, dict):
        problems.append(f"{_at(path, _header_line(text, 'discover'))}: 'discover' must be a table.")
        return []
    entries = discover.get("organizations", [])
    if not isinstance(entries, list):
        problems.append(
            f"{_at(path, _header_line(text, 'organizations'))}: 'discover.organizations' must be "
            "an array of tables, each starting with [[discover.organizations]]."
        )
        return []
    headers: list[int | None] = list(_entry_lines(text))
    if len(headers) != len(entries):  # written inline: the line of the array is the best there is
        headers = [_header_line(text, "organizations")] * len(entries)
    specs: list[OrganizationSpec] = []
    for number, (entry, line) in enumerate(zip(entries, headers, strict=True), 1):
        try:
            spec = _spec(entry, path, line)
            if any(s.name == spec.name for s in specs):
                raise ValidationError(
                    f"another organisation is already named '{spec.name}'; give this one its own `name`."
                )
        except ValidationError as error:
            label = _label(entry, number)
            problems.append(f"{_at(path, line)}: organisation {label}: {error} It was skipped.")
            continue
        specs.append(spec)
    return specs


def _spec(entry: object, path: Path, line: int | None) -> OrganizationSpec:
    if not isinstance(entry, dict):
        raise ValidationError("must be a table of keys such as source_profile and role_name.")
    unknown = sorted(k for k in entry if k not in _KEYS)
    if unknown:
        raise ValidationError(f"unknown key(s) {', '.join(unknown)} (allowed: {', '.join(sorted(_KEYS))}).")
    for key in ("source_profile", "role_name"):
        if key not in entry:
            raise ValidationError(f"{key} is missing.")
    strings = {}
    for key in _KEYS - {"duration"}:
        if key in entry:
            strings[key] = _string(entry[key], key)
    source = strings["source_profile"]
    problem = section_name_problem(source)
    if problem:
        raise ValidationError(f"source_profile: {problem}.")
    role_name = strings["role_name"]
    if not validate.ROLE_ARN_RE.match(f"arn:aws:iam::000000000000:role/{role_name}") or len(role_name) > 512:
        raise ValidationError(
            f"role_name {role_name!r} is not an IAM role name (up to 64 letters, digits and +=,.@_-, "
            "maybe after a path such as team/)."
        )
    name = strings.get("name", source)
    if not name_part(name):
        raise ValidationError(f"name {name!r} has nothing left once spaces and slashes are taken out.")
    return OrganizationSpec(
        name=name,
        source_profile=source,
        role_name=role_name,
        region=strings.get("region"),
        mfa_serial=validate.mfa_serial(strings["mfa_serial"]) if "mfa_serial" in strings else None,
        duration_seconds=validate.duration(entry["duration"]) if "duration" in entry else None,
        external_id=validate.external_id(strings["external_id"]) if "external_id" in strings else None,
        session_name=validate.session_name(strings["session_name"]) if "session_name" in strings else None,
        file=str(path),
        line=line,
    )


def _string(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{key} must be a non-empty string.")
    if not value.isprintable():
        raise ValidationError(f"{key} has a line break or control character.")
    return value.strip()


def _label(entry: object, number: int) -> str:
    if isinstance(entry, dict):
        for key in ("name", "source_profile"):
            value = entry.get(key)
            if isinstance(value, str) and value.strip() and value.isprintable() and len(value) <= 80:
                return f"'{value.strip()}'"
    return f"#{number}"


def _at(path: Path, line: int | None) -> str:
    return f"{path}, line {line}" if line else str(path)


def _entry_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if _HEADER_RE.match(line)]


def _header_line(text: str, key: str) -> int | None:
    """The first line that opens a table named `key` or assigns it."""
    pattern = re.compile(rf"""^\s*(\[+[^\]]*\b{key}\b|["']?{key}["']?\s*=)""")
    return next((n for n, line in enumerate(text.splitlines(), 1) if pattern.match(line)), None)


# --- discovery -----------------------------------------------------------------


def discover_organization(
    spec: OrganizationSpec,
    *,
    timeouts: Timeouts | None = None,
    progress: Callable[[int], None] | None = None,
    page_size: int = PAGE_SIZE,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> OrganizationAccounts:
    """The organisation's ACTIVE member accounts; `OrganizationsError` with one sentence
    on failure. `progress` gets the number of accounts found so far, after each page."""
    timeouts = timeouts or Timeouts()
    call = _Caller(spec, timeouts, sleep)
    client = call(lambda: _client(spec, timeouts))
    organization = call(client.describe_organization).get("Organization")
    if not isinstance(organization, dict) or not _ACCOUNT_ID_RE.match(
        str(organization.get("MasterAccountId", ""))
    ):
        raise _bad_answer()
    management = str(organization["MasterAccountId"])
    partition = str(organization.get("Arn", "")).split(":")[1:2]
    accounts: dict[str, str] = {}
    extra: dict[str, str] = {}
    for _ in range(MAX_PAGES):
        page = call(functools.partial(client.list_accounts, MaxResults=page_size, **extra))
        if not isinstance(page, dict):
            raise _bad_answer()
        for item in page.get("Accounts", []):
            if _active_member(item, management) and item["Id"] not in accounts:
                accounts[item["Id"]] = _display_name(item.get("Name"))
        if progress is not None:
            progress(len(accounts))
        next_token = page.get("NextToken")
        if not isinstance(next_token, str) or not next_token:
            break
        extra = {"NextToken": next_token}
    else:
        raise OrganizationsError(
            "AWS Organizations kept answering with more pages of accounts; try again later.",
            code="bad-answer",
        )
    return OrganizationAccounts(
        spec_name=spec.name,
        source_profile=spec.source_profile,
        management_account_id=management,
        fetched_at=now().replace(microsecond=0),
        accounts=tuple(accounts.items()),
        partition=partition[0] if partition and _PARTITION_RE.match(partition[0]) else "aws",
    )


def _client(spec: OrganizationSpec, timeouts: Timeouts):
    """An organizations client signed with the source profile's credentials. Made inside
    the deadline: a source that is itself a role resolves its credentials through STS."""
    import boto3
    import botocore.session
    from botocore.config import Config

    quiet_sdk_debug_logs()
    core = botocore.session.Session(profile=spec.source_profile)
    _refuse_mfa_prompt(spec, core.full_config.get("profiles", {}))
    session = boto3.Session(botocore_session=core)
    if session.get_credentials() is None:
        from botocore.exceptions import NoCredentialsError

        raise NoCredentialsError()
    config = Config(
        connect_timeout=timeouts.connect,
        read_timeout=timeouts.read,
        retries={"total_max_attempts": 1, "mode": "standard"},  # throttling: our own backoff
    )
    region = spec.region or session.region_name or DEFAULT_REGION
    return session.client("organizations", region_name=region, config=config)


def _refuse_mfa_prompt(spec: OrganizationSpec, profiles: Mapping[str, Any]) -> None:
    """botocore asks for the MFA code of a role source on the terminal (getpass): in the app
    that would scribble over the screen and wait for ever. Say so instead."""
    name, seen = spec.source_profile, set()
    while isinstance(name, str) and name in profiles and name not in seen:
        seen.add(name)
        values = profiles[name]
        if values.get("role_arn") and values.get("mfa_serial"):
            raise OrganizationsError(
                f"Source profile '{spec.source_profile}' of organisation {spec.name} needs an MFA code "
                f"(mfa_serial of profile '{name}'), which listing accounts cannot ask for; set "
                "source_profile to a profile whose credentials need no code.",
                code="bad-source",
            )
        name = values.get("source_profile")


def _active_member(item: object, management: str) -> bool:
    if not isinstance(item, dict) or not isinstance(item.get("Id"), str):
        return False
    # `State` replaces `Status` (deprecated in 2025); either says ACTIVE for a usable account.
    state = item.get("State") or item.get("Status")
    return bool(_ACCOUNT_ID_RE.match(item["Id"])) and item["Id"] != management and state == "ACTIVE"


def _display_name(value: object) -> str:
    """An account's name as shown: at most 256 characters, no control character."""
    if not isinstance(value, str):
        return ""
    return "".join(c if c.isprintable() else " " for c in value[:256]).strip()


class _Caller:
    """One Organizations call: bounded by the deadline, retried with jittered backoff when throttled."""

    def __init__(self, spec: OrganizationSpec, timeouts: Timeouts, sleep: Callable[[float], None]) -> None:
        self.spec = spec
        self.timeouts = timeouts
        self.sleep = sleep

    def __call__(self, call: Callable[[], Any]) -> Any:
        deadline = self.timeouts.deadline
        late = OrganizationsError(
            f"AWS Organizations did not answer within {deadline:.0f}s (organisation {self.spec.name}); "
            f"check the network, or {_VARIABLE} if you set it, and try again.",
            code="no-connection",
        )
        for attempt in range(THROTTLE_ATTEMPTS):
            try:
                answer = within_deadline(call, deadline, late, name="roleswitch-organizations-call")
            except OrganizationsError:
                raise
            except Exception as error:  # mapped to one sentence below
                if _code(error) not in _THROTTLE_CODES or attempt == THROTTLE_ATTEMPTS - 1:
                    raise map_error(error, self.spec) from None
                self.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
                continue
            return answer
        raise AssertionError("unreachable")


def _code(error: BaseException) -> str | None:
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "")) or None
    return None


def _status(error: BaseException) -> int | None:
    response = getattr(error, "response", None)
    status = (
        response.get("ResponseMetadata", {}).get("HTTPStatusCode") if isinstance(response, dict) else None
    )
    return status if isinstance(status, int) else None


def _bad_answer() -> OrganizationsError:
    return OrganizationsError(
        "AWS Organizations answered with something roleswitch cannot use; check "
        f"{_VARIABLE} (or a proxy in between) and try again.",
        code="bad-answer",
    )


def map_error(error: BaseException, spec: OrganizationSpec) -> OrganizationsError:
    """One plain sentence for whatever went wrong, naming the next step."""
    from botocore import exceptions as bx
    from botocore.parsers import ResponseParserError

    source = spec.source_profile
    label = f"source profile '{source}' of organisation {spec.name}"
    code = _code(error)
    if isinstance(error, OrganizationsError):
        return error
    if isinstance(error, ResponseParserError):
        return _bad_answer()
    if code in ("AccessDeniedException", "AccessDenied") or _status(error) == 403:
        return OrganizationsError(
            f"Access denied listing the accounts of organisation {spec.name}: {label} must be in the "
            "management account (or a delegated administrator) and allowed organizations:ListAccounts "
            "and organizations:DescribeOrganization.",
            code="access-denied",
        )
    if code == "AWSOrganizationsNotInUseException":
        return OrganizationsError(
            f"The account of {label} is not in an organisation; set source_profile to a profile "
            "of the organisation's management account.",
            code="not-in-use",
        )
    if code in _SOURCE_CODES or isinstance(error, _source_errors()):
        return _source_problem(error, spec)
    if code in _THROTTLE_CODES:
        return OrganizationsError(
            "AWS Organizations is throttling requests; wait a minute and try again.", code="throttled"
        )
    if code is not None:
        return OrganizationsError(
            f"AWS Organizations refused to list the accounts of organisation {spec.name} ({code}); "
            "check the source profile's permissions and try again."
        )
    if isinstance(error, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        where = getattr(error, "kwargs", {}).get("endpoint_url") or "endpoint unreachable"
        return OrganizationsError(
            f"Could not connect to AWS Organizations ({where}); check the network, or {_VARIABLE} "
            "if you set it.",
            code="no-connection",
        )
    if isinstance(error, bx.ReadTimeoutError | bx.ConnectionClosedError):
        return OrganizationsError(
            "AWS Organizations did not answer in time; check the network and try again.",
            code="no-connection",
        )
    if isinstance(error, bx.BotoCoreError | OSError | ValueError):
        return OrganizationsError(
            f"Listing the accounts of organisation {spec.name} failed ({type(error).__name__}); check "
            f"the network and the {label}, then try again.",
            code="no-connection",
        )
    return OrganizationsError(
        f"Unexpected error listing the accounts of organisation {spec.name}: {type(error).__name__}."
    )


def _source_errors() -> tuple[type[BaseException], ...]:
    from botocore import exceptions as bx

    return (
        bx.ProfileNotFound,
        bx.NoCredentialsError,
        bx.PartialCredentialsError,
        bx.SSOError,
        bx.UnauthorizedSSOTokenError,
        bx.SSOTokenLoadError,
        bx.CredentialRetrievalError,
        bx.ConfigParseError,
    )


def _source_problem(error: BaseException, spec: OrganizationSpec) -> OrganizationsError:
    """The source profile's credentials are missing, bad or expired: the sentence STS's
    mapping says for a role's source, which is just as true here."""
    from roleswitch.core.sts import map_error as sts_sentence

    source = Target(spec.name, ORIGIN, "", "", spec.role_name, source_profile=spec.source_profile)
    return OrganizationsError(str(sts_sentence(error, source)), code="bad-source")  # type: ignore[arg-type]


# --- targets ---------------------------------------------------------------------


def organization_targets(spec: OrganizationSpec, found: OrganizationAccounts) -> list[Target]:
    """`spec.role_name` in each account found, named `NAME/ACCOUNT_NAME/ROLE_NAME`."""
    role_path = spec.role_name
    short = role_path.rsplit("/", 1)[-1]
    # SSO discovery's naming rule, applied to one role per account.
    named = Discovery(
        spec.name,
        "",
        found.fetched_at,
        tuple(DiscoveredAccount(account_id, name, (short,)) for account_id, name in found.accounts),
    ).roles()
    targets = []
    for role in named:
        arn = f"arn:{found.partition}:iam::{role.account_id}:role/{role_path}"
        try:
            validate.role_arn(arn)
            problem = None
        except ValidationError as error:
            problem = str(error)
        targets.append(
            Target(
                name=role.target_name,
                origin=ORIGIN,
                role_arn=arn,
                account_id=role.account_id,
                role_name=short,
                account_name=role.account_name or None,
                source_profile=spec.source_profile,
                region=spec.region,
                mfa_serial=spec.mfa_serial,
                external_id=spec.external_id,
                duration_seconds=spec.duration_seconds,
                session_name=spec.session_name,
                file=spec.file,
                line=spec.line,
                problem=problem,
            )
        )
    return targets


# --- the cache -------------------------------------------------------------------


class OrganizationCache:
    """The last accounts found per organisation (name and source profile), ids and names
    only, in roleswitch's cache folder under `JsonCache`'s trust rules."""

    def __init__(self, folder: Path | None = None) -> None:
        self._files = JsonCache(folder)

    def __repr__(self) -> str:
        return f"OrganizationCache({str(self._files.folder)!r})"

    @property
    def folder(self) -> Path:
        return self._files.folder

    def path(self, spec: OrganizationSpec) -> Path:
        return self._files.folder / self._name(spec.name, spec.source_profile)

    def load(self, spec: OrganizationSpec) -> OrganizationAccounts | None:
        """What the last discovery found for this spec, or None (none, or not trusted)."""
        data = self._files.read(self._name(spec.name, spec.source_profile))
        try:
            if (
                not isinstance(data, dict)
                or data.get("format") != _FORMAT
                or data.get("name") != spec.name
                or data.get("source_profile") != spec.source_profile
            ):
                return None
            accounts = tuple((str(a["id"]), _display_name(a["name"])) for a in data["accounts"])
            management = str(data["management_account_id"])
            partition = str(data["partition"])
            fetched = datetime.fromtimestamp(float(data["fetched_at"]), UTC)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, OSError):
            return None
        ids = [management, *(a for a, _ in accounts)]
        if not all(_ACCOUNT_ID_RE.match(a) for a in ids) or not _PARTITION_RE.match(partition):
            return None
        return OrganizationAccounts(spec.name, spec.source_profile, management, fetched, accounts, partition)

    def save(self, found: OrganizationAccounts) -> bool:
        """False when the folder cannot be trusted or written: the next start is slower, nothing worse."""
        return self._files.write(
            self._name(found.spec_name, found.source_profile),
            {
                "format": _FORMAT,
                "name": found.spec_name,
                "source_profile": found.source_profile,
                "management_account_id": found.management_account_id,
                "partition": found.partition,
                "fetched_at": found.fetched_at.timestamp(),
                "accounts": [{"id": a, "name": n} for a, n in found.accounts],
            },
        )

    @staticmethod
    def _name(spec_name: str, source_profile: str) -> str:
        digest = hashlib.sha1(f"{spec_name}\n{source_profile}".encode()).hexdigest()
        return f"{CACHE_PREFIX}{digest}.json"
