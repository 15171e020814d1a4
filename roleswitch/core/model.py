"""The frozen values the core hands around: targets, settings, credentials, sessions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from types import MappingProxyType
from typing import Any

from roleswitch.core.paths import DEFAULT_ACTIVE_PROFILE

DEFAULT_DURATION = 3600
DEFAULT_RENEW_MARGIN = 600
DEFAULT_MFA_SESSION = 12 * 3600
CHAINED_LIMIT = 3600  # STS ends a session assumed with another role's credentials within 1 hour


@dataclass(frozen=True, slots=True)
class Environment:
    """An environment's settings (`[environments.NAME]`): production, staging, ...

    `colour` is `#rrggbb` (a named colour or `#rgb` in the TOML is turned into that), or
    None for no colour; `confirm` asks before a target in it is assumed or renewed.
    """

    name: str
    colour: str | None = None
    confirm: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    """roleswitch's own settings from the `[settings]` table of its TOML config."""

    active_profile: str = DEFAULT_ACTIVE_PROFILE
    duration_seconds: int = DEFAULT_DURATION
    session_name: str | None = None
    renew_margin_seconds: int = DEFAULT_RENEW_MARGIN
    auto_renew: bool = False
    source_profile: str | None = None
    region: str | None = None
    mfa_session_seconds: int = DEFAULT_MFA_SESSION
    browser: str | None = None  # command template for the console: {url} {container} {colour}
    # `[environments.NAME]` tables, by name: how targets in each environment look and behave.
    environments: Mapping[str, Environment] = field(default_factory=lambda: MappingProxyType({}))
    order: str = (
        "usage"  # the list's order with no query: "usage" (pinned, recent, accounts) or "alphabetical"
    )


@dataclass(frozen=True, slots=True, init=False)
class Target:
    """A role that can be assumed: from the AWS config file, roleswitch's TOML, or
    discovered through IAM Identity Center (see `sso_session`).

    `problem` is set (and the target cannot be assumed) when its definition is
    invalid; the target is still listed so the person sees why.

    Frozen like the others, with its own `__init__`: a catalogue makes 10,000 of
    them at start-up, and the generated frozen one costs twice as much.
    """

    name: str
    origin: str  # "aws-config", "roleswitch", or "sso" (discovered through Identity Center)
    role_arn: str
    account_id: str
    role_name: str
    account_name: str | None = None
    source_profile: str | None = None
    credential_source: str | None = None
    region: str | None = None
    mfa_serial: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None
    session_name: str | None = None
    file: str = ""
    line: int | None = None
    problem: str | None = None
    # IAM Identity Center: the SsoSession whose token gets the credentials. Alone, the
    # target is an SSO role (GetRoleCredentials for account_id and role_name); with
    # `sso_source` ("ACCOUNT_ID/ROLE_NAME" of the SSO role named in source_profile), it
    # is a role assumed with that SSO role's credentials (one hop, at most an hour).
    sso_session: str | None = None
    sso_source: str | None = None
    # From the TOML (an account's values apply to all its targets, a role's win): the
    # environment's name (see Catalogue.environment_of), free-form tags, and the
    # credentials-file profile this target always goes to.
    environment: str | None = None
    tags: tuple[str, ...] = ()
    profile: str | None = None

    def __init__(
        self,
        name: str,
        origin: str,
        role_arn: str,
        account_id: str,
        role_name: str,
        account_name: str | None = None,
        source_profile: str | None = None,
        credential_source: str | None = None,
        region: str | None = None,
        mfa_serial: str | None = None,
        external_id: str | None = None,
        duration_seconds: int | None = None,
        session_name: str | None = None,
        file: str = "",
        line: int | None = None,
        problem: str | None = None,
        sso_session: str | None = None,
        sso_source: str | None = None,
        environment: str | None = None,
        tags: tuple[str, ...] = (),
        profile: str | None = None,
    ) -> None:
        s = _TARGET_SETTERS
        s[0](self, name)
        s[1](self, origin)
        s[2](self, role_arn)
        s[3](self, account_id)
        s[4](self, role_name)
        s[5](self, account_name)
        s[6](self, source_profile)
        s[7](self, credential_source)
        s[8](self, region)
        s[9](self, mfa_serial)
        s[10](self, external_id)
        s[11](self, duration_seconds)
        s[12](self, session_name)
        s[13](self, file)
        s[14](self, line)
        s[15](self, problem)
        s[16](self, sso_session)
        s[17](self, sso_source)
        s[18](self, environment)
        s[19](self, tags)
        s[20](self, profile)

    @property
    def valid(self) -> bool:
        return self.problem is None

    @property
    def needs_mfa(self) -> bool:
        return self.mfa_serial is not None

    @property
    def is_sso(self) -> bool:
        """Its credentials come straight from the Identity Center portal (no STS call)."""
        return self.sso_session is not None and self.sso_source is None

    @property
    def sso_chained(self) -> bool:
        """A role assumed with the credentials of an SSO role (its source_profile)."""
        return self.sso_source is not None

    @property
    def account_label(self) -> str:
        return self.account_name or self.account_id or "unknown account"

    @property
    def source_label(self) -> str:
        if self.is_sso:
            return f"sso:{self.sso_session}"
        if self.source_profile:
            return self.source_profile
        if self.credential_source:
            return f"({self.credential_source})"
        return "-"

    @property
    def search_text(self) -> str:
        """What the filter matches against, lowercased, one field per line.

        A term must match within one field: the filter's `.` never crosses a newline,
        so `prod` does not match `develo(p)ment` ... `develope(r)` ....
        """
        return "\n".join((self.account_name or "", self.account_id, self.role_name, self.name)).lower()


# The slots' own setters: they skip the frozen class's refusing __setattr__.
_TARGET_SETTERS = tuple(Target.__dict__[f.name].__set__ for f in fields(Target))


def _target_maker() -> type:
    """A class with Target's slots whose __init__ sets them by plain assignments, in field
    order, and then makes the object a Target.

    A frozen class refuses assignment, so Target's __init__ calls each slot's setter: 21
    calls per target, 150 ms of a start at 100,000 targets. This class has the same slots
    (so the same layout: Python allows the change of class) and the interpreter's own fast
    slot stores: a third of the time. Its __init__ is written from Target's fields, as
    dataclasses writes theirs, so the two never disagree.
    """
    names = [f.name for f in fields(Target)]
    source = f"def __init__(self, {', '.join(names)}):\n"
    source += "".join(f"    self.{name} = {name}\n" for name in names)
    source += "    self.__class__ = Target\n"
    namespace: dict[str, Any] = {"Target": Target}
    exec(source, namespace)  # the source is made of Target's own field names
    return type("_TargetBeingMade", (), {"__slots__": Target.__slots__, "__init__": namespace["__init__"]})


_TargetBeingMade = _target_maker()


def targets_from_columns(columns: Sequence[Sequence[Any]]) -> tuple[Target, ...]:
    """Targets from one column of values per field, in Target's field order: what
    `tuple(map(Target, *columns))` gives, at a third of the cost."""
    return tuple(map(_TargetBeingMade, *columns))


@dataclass(frozen=True, slots=True)
class Account:
    """An account as displayed: its id, its display name, its targets in order."""

    account_id: str
    name: str | None
    targets: tuple[Target, ...]

    @property
    def label(self) -> str:
        if self.name and self.account_id:
            return f"{self.name} ({self.account_id})"
        return self.name or self.account_id or "unknown account"


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Everything that can be assumed, plus the settings and any file-level problems."""

    targets: tuple[Target, ...]
    settings: Settings = Settings()
    problems: tuple[str, ...] = ()
    account_names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Things to tell the person that are not wrong, e.g. an SSO session never discovered:
    # shown by `roleswitch list`, not warned about by every command.
    notes: tuple[str, ...] = ()
    # Whether the files configure any IAM Identity Center session, or any organisation to
    # discover: with neither, the app need not read them again after its first frame.
    sso_configured: bool = False
    organizations_configured: bool = False
    _by_name: Mapping[str, Target] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", MappingProxyType({t.name: t for t in self.targets}))

    def find(self, name: str) -> Target | None:
        return self._by_name.get(name)

    def environment_of(self, target: Target) -> Environment | None:
        """The settings of the target's environment: None when it names none, and no colour
        and no confirmation when it names one that `[environments]` does not configure."""
        name = target.environment
        if name is None:
            return None
        found = self.settings.environments.get(name)
        return found if found is not None else Environment(name, None, False)

    def needs_confirmation(self, target: Target) -> bool:
        """Assuming or renewing the target asks first (its environment has `confirm = true`)."""
        environment = self.environment_of(target)
        return environment is not None and environment.confirm

    def accounts(self) -> list[Account]:
        """Targets grouped by account: named accounts A-Z, then bare ids, unknown last.

        Targets keep their file order within an account.
        """
        groups: dict[str, list[Target]] = {}
        for target in self.targets:
            groups.setdefault(target.account_id, []).append(target)
        accounts = [
            Account(account_id, self.account_names.get(account_id), tuple(targets))
            for account_id, targets in groups.items()
        ]
        return sorted(
            accounts,
            key=lambda a: (not a.account_id, a.name is None, (a.name or a.account_id).lower()),
        )


@dataclass(frozen=True, slots=True)
class Credentials:
    """Temporary credentials. The secret and token never appear in `repr`."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime

    def __repr__(self) -> str:
        return (
            f"Credentials(access_key_id={mask_key(self.access_key_id)!r}, "
            f"secret_access_key='***', session_token='***', "
            f"expiration={self.expiration.isoformat()!r})"
        )

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class AssumeResult:
    """What one AssumeRole call gave: the credentials and who they belong to."""

    target: Target
    credentials: Credentials
    assumed_arn: str
    region: str


@dataclass(frozen=True, slots=True)
class ActiveSession:
    """The active profile read back from the credentials file, without its secrets."""

    profile: str
    target_name: str | None
    role_arn: str | None
    assumed_arn: str | None
    access_key_id: str | None
    expiration: datetime | None
    region: str | None

    @property
    def masked_key(self) -> str:
        return mask_key(self.access_key_id or "")


def mask_key(key: str) -> str:
    """`ASIA…WXYZ`: enough to recognise a key id, not enough to use it."""
    if len(key) <= 8:
        return "…" if key else ""
    return f"{key[:4]}…{key[-4:]}"
