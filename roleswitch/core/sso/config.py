"""The IAM Identity Center sessions a person has, from the AWS config file and roleswitch's TOML.

Three forms, named as the person types them in `roleswitch login NAME`:
- `[sso-session NAME]` (sso_start_url, sso_region, sso_registration_scopes), the
  AWS CLI's current form; its token cache file is named by the SHA-1 of NAME.
- the legacy form, sso_start_url + sso_region inside a profile; the session is named
  after the first profile holding that start URL, and its token cache file by the
  SHA-1 of the start URL (as botocore and the AWS CLI name it).
- `[sso.NAME]` in roleswitch's TOML (start_url, region, optional scopes), for people
  with no AWS config at all; cached like an sso-session of that name.
Section names are read exactly as botocore reads them (shlex-split, two words).
Profiles with sso_account_id + sso_role_name are listed as `SsoProfile` data.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.config_profiles import profile_name
from roleswitch.core.ini import read_sections, scan
from roleswitch.core.regular_file import read_regular_file

AWS_CONFIG = "aws-config"
LEGACY = "legacy-profile"
ROLESWITCH = "roleswitch"
DEFAULT_SCOPES = ("sso:account:access",)
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$", re.ASCII)
_URL_RE = re.compile(r"^https?://[\x21-\x7e]{1,2000}$", re.ASCII)


@dataclass(frozen=True, slots=True)
class SsoSession:
    """One Identity Center sign-in: where its portal is, and how its token is cached."""

    name: str
    start_url: str
    region: str
    scopes: tuple[str, ...]
    origin: str  # AWS_CONFIG, LEGACY or ROLESWITCH
    file: str = ""

    @property
    def legacy(self) -> bool:
        return self.origin == LEGACY

    @property
    def cache_key(self) -> str:
        """botocore.utils.SSOTokenLoader._generate_cache_key: SHA-1 of the session name,
        or of the start URL for the legacy form."""
        text = self.start_url if self.legacy else self.name
        return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SsoProfile:
    """A profile that names an SSO account and role (sso_account_id + sso_role_name)."""

    profile: str
    session: str  # the SsoSession's name
    account_id: str
    role_name: str
    region: str | None


@dataclass(frozen=True, slots=True)
class SsoConfig:
    sessions: tuple[SsoSession, ...]
    profiles: tuple[SsoProfile, ...]
    problems: tuple[str, ...]

    def find(self, name: str) -> SsoSession | None:
        return next((s for s in self.sessions if s.name == name), None)

    def names(self) -> list[str]:
        return [s.name for s in self.sessions]


def section_name(section: str, kind: str) -> str | None:
    """The name `[section]` gives a `kind` ("sso-session") as botocore's `_parse_section`
    reads it: shlex-split, exactly two words, the second is the name."""
    if not section.startswith(kind) or section.startswith("profile"):
        return None
    import shlex

    try:
        parts = shlex.split(section)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def load_sso_config(config_path: Path | None = None, toml_path: Path | None = None) -> SsoConfig:
    """Every SSO session and SSO profile; unreadable or invalid parts become `problems`."""
    config_path = Path(config_path or paths.aws_config_path())
    toml_path = Path(toml_path or paths.roleswitch_config_path())
    problems: list[str] = []
    sections = _read_ini(config_path, problems)
    sessions: dict[str, SsoSession] = {}
    profiles: list[SsoProfile] = []
    # botocore: a later section of the same name wins whole
    session_values: dict[str, dict[str, str]] = {}
    profile_values: dict[str, dict[str, str]] = {}
    for name, values in sections:
        profile = profile_name(name)
        if profile is not None:
            profile_values[profile] = values
            continue
        session = section_name(name, "sso-session")
        if session is not None:
            session_values[session] = values
    for name, values in session_values.items():
        made = _session(
            name, values.get("sso_start_url"), values.get("sso_region"), AWS_CONFIG, str(config_path)
        )
        if isinstance(made, str):
            problems.append(f"{config_path}: [sso-session {name}] {made}; it was skipped.")
            continue
        scopes = tuple(s.strip() for s in values.get("sso_registration_scopes", "").split(",") if s.strip())
        sessions[name] = _with_scopes(made, scopes)
    legacy_by_url: dict[tuple[str, str], str] = {}
    for profile, values in profile_values.items():
        session_name = values.get("sso_session")
        if session_name is None and "sso_start_url" in values:
            key = (values["sso_start_url"], values.get("sso_region", ""))
            session_name = legacy_by_url.get(key)
            if session_name is None:
                made = _session(profile, key[0], key[1], LEGACY, str(config_path))
                if isinstance(made, str):
                    problems.append(f"{config_path}: profile {profile} {made}; it was skipped.")
                    continue
                if profile in sessions:
                    problems.append(
                        f"{config_path}: profile {profile} has its own sso_start_url and shares its name "
                        f"with [sso-session {profile}]; rename one of them."
                    )
                    continue
                sessions[profile] = made
                legacy_by_url[key] = session_name = profile
        if session_name is None or "sso_account_id" not in values or "sso_role_name" not in values:
            continue
        if session_name not in sessions:
            problems.append(
                f"{config_path}: profile {profile} names sso_session {session_name}, which is not defined; "
                f"add an [sso-session {session_name}] section."
            )
            continue
        profiles.append(
            SsoProfile(
                profile, session_name, values["sso_account_id"], values["sso_role_name"], values.get("region")
            )
        )
    for toml in _toml_sessions(toml_path, problems):
        known = sessions.get(toml.name)
        if known is None:
            sessions[toml.name] = toml
        elif (known.start_url, known.region) != (toml.start_url, toml.region):
            problems.append(
                f"{toml_path}: [sso.{toml.name}] names another portal than the AWS config's session "
                f"{toml.name}; rename one of them (the AWS config's is used)."
            )
    return SsoConfig(tuple(sessions.values()), tuple(profiles), tuple(problems))


def _session(
    name: str, start_url: str | None, region: str | None, origin: str, file: str
) -> SsoSession | str:
    """The session, or what is wrong with it (a clause for the caller's sentence)."""
    if not start_url or not _URL_RE.match(start_url):
        return "has no sso_start_url, or it is not an http(s) URL"
    if not region or not _REGION_RE.match(region):
        return "has no sso_region, or it is not a region name like us-east-1"
    scopes = () if origin == LEGACY else DEFAULT_SCOPES
    return SsoSession(name, start_url, region, scopes, origin, file)


def _with_scopes(session: SsoSession, scopes: tuple[str, ...]) -> SsoSession:
    if not scopes:
        return session
    return SsoSession(session.name, session.start_url, session.region, scopes, session.origin, session.file)


def _read_ini(path: Path, problems: list[str]) -> list[tuple[str, dict[str, str]]]:
    try:
        text = read_regular_file(path).decode("utf-8-sig")
    except FileNotFoundError:
        return []
    except UnicodeDecodeError as error:
        problems.append(f"{path} is not valid UTF-8 (byte {error.start}); it was skipped.")
        return []
    except OSError as error:
        problems.append(f"{path} could not be read ({error.strerror}); it was skipped.")
        return []
    fast = read_sections(text)
    if fast is not None:
        return [(name, values) for name, values, _ in fast]
    doc = scan(text)
    return [(s.name, s.values) for s in doc.sections]


def _toml_sessions(path: Path, problems: list[str]) -> list[SsoSession]:
    try:
        data = tomllib.loads(read_regular_file(path).decode("utf-8-sig"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # the catalogue reports an unreadable TOML once; not repeated here
    table = data.get("sso", {})
    if not isinstance(table, dict):
        problems.append(f"{path}: sso must be a table of sessions like [sso.corp]; it was skipped.")
        return []
    sessions = []
    for name, values in table.items():
        if not isinstance(values, dict):
            problems.append(f"{path}: sso.{name} must be a table with start_url and region; it was skipped.")
            continue
        unknown = sorted(set(values) - {"start_url", "region", "scopes"})
        start_url, region = values.get("start_url"), values.get("region")
        made = _session(
            name,
            start_url if isinstance(start_url, str) else None,
            region if isinstance(region, str) else None,
            ROLESWITCH,
            str(path),
        )
        if isinstance(made, str):
            made = made.replace("sso_start_url", "start_url").replace("sso_region", "region")
            problems.append(f"{path}: [sso.{name}] {made}; it was skipped.")
            continue
        if unknown:
            problems.append(
                f"{path}: [sso.{name}] has unknown keys ({', '.join(unknown)}); they were ignored."
            )
        scopes = values.get("scopes")
        if isinstance(scopes, list) and all(isinstance(s, str) for s in scopes):
            made = _with_scopes(made, tuple(scopes))
        sessions.append(made)
    return sessions
