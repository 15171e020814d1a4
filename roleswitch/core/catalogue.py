"""Build the catalogue of assumable roles from the AWS config file and roleswitch's TOML.

This never runs botocore's per-profile machinery: it scans the files once with
the byte-keeping INI scanner (`ini.scan`) and `tomllib`, so 10,000 profiles load
in a few tens of milliseconds. Problems with one profile mark that target
invalid with a reason; problems with a whole file go into `Catalogue.problems`.
"""

from __future__ import annotations

import functools
import operator
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

from roleswitch.core import paths, validate
from roleswitch.core.config_profiles import profile_name
from roleswitch.core.errors import RoleswitchError, ValidationError
from roleswitch.core.ini import DEFAULTS, read_sections, scan, section_name_problem, section_names
from roleswitch.core.model import CHAINED_LIMIT, Catalogue, Environment, Settings, Target
from roleswitch.core.regular_file import read_regular_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.sso.config import SsoConfig, SsoProfile

CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
_TARGET_FIELDS = tuple(f.name for f in dataclass_fields(Target))

_SETTINGS_KEYS = {
    "active_profile",
    "duration",
    "session_name",
    "renew_margin",
    "auto_renew",
    "source_profile",
    "region",
    "mfa_session_duration",
    "browser",
    "order",
}
ORDERS = ("usage", "alphabetical")
# What an account or a role may say about its targets: see `_labels`.
_LABEL_KEYS = ("environment", "tags", "profile")
_ACCOUNT_KEYS = {"id", "name", "source_profile", "region", "roles", *_LABEL_KEYS}
_ENVIRONMENT_KEYS = {"colour", "color", "confirm"}
_ROLE_KEYS = {
    "name",
    "arn",
    "mfa_serial",
    "external_id",
    "duration",
    "session_name",
    "region",
    "source_profile",
    *_LABEL_KEYS,
}


@dataclass(frozen=True, slots=True)
class TomlPart:
    """What roleswitch's TOML alone gives the catalogue, before the other files are looked
    at: its settings, its targets (unchecked against the AWS files' sources), its account
    names and labels, and its problems. Only for a TOML without `sso` or `discover`
    tables (those are read with the AWS config). catalogue_cache keeps it, so an edit
    of the AWS config does not parse the TOML again (two thirds of a 10,000-target load)."""

    settings: Settings
    targets: tuple[Target, ...]
    account_names: Mapping[str, str]
    account_labels: Mapping[str, tuple[str | None, tuple[str, ...]]]
    problems: tuple[str, ...]


def load_catalogue(
    config_path: Path | None = None,
    toml_path: Path | None = None,
    credentials_path: Path | None = None,
    *,
    discovery_folder: Path | None = None,
    toml_part: TomlPart | None = None,
    made_toml_part: Callable[[TomlPart], None] | None = None,
) -> Catalogue:
    """Read every source of targets; never raises for bad input, reports it instead.

    Discovered targets come from the discovery cache in `discovery_folder` (roleswitch's
    cache folder by default): reading them never calls AWS. `toml_part`, when given, is
    what the TOML at `toml_path` gives (see TomlPart), and the TOML is not read; else,
    when it can be one, the part made is handed to `made_toml_part`."""
    config_path = config_path or paths.aws_config_path()
    toml_path = toml_path or paths.roleswitch_config_path()
    credentials_path = credentials_path or paths.aws_credentials_path()
    problems: list[str] = []

    config_doc = _read_ini(config_path, problems)
    credentials_text = _read_ini_text(credentials_path, problems)
    account_names: dict[str, str]
    account_labels: dict[str, tuple[str | None, tuple[str, ...]]]
    if toml_part is not None:
        toml_data: dict[str, Any] = {}  # a part is only made of a TOML without sso or discover
        toml_text = ""
        settings = toml_part.settings
        account_names, account_labels = dict(toml_part.account_names), dict(toml_part.account_labels)
        toml_targets = list(toml_part.targets)
        problems.extend(toml_part.problems)
    else:
        first_problem = len(problems)
        toml_data, toml_text = _read_toml(toml_path, problems)
        settings = _settings(toml_data, toml_path, toml_text, problems)
        account_names, account_labels = {}, {}
        toml_targets = _toml_targets(
            toml_data, toml_path, toml_text, settings, account_names, account_labels, problems
        )
        if made_toml_part is not None and not {"sso", "discover"} & toml_data.keys():
            made_toml_part(
                TomlPart(
                    settings,
                    tuple(toml_targets),
                    dict(account_names),  # copies: the steps below add to them
                    dict(account_labels),
                    tuple(problems[first_problem:]),
                )
            )

    profiles = _profiles(config_doc)
    sso = _sso_config(config_doc, profiles, toml_data, config_path, toml_path, problems)
    # Only the names: the credentials file may hold thousands of sections of no interest here.
    credential_sections = section_names(credentials_text) if credentials_text else set()
    config_targets = _config_targets(profiles, credential_sections, config_path, account_names, sso)

    specs = []
    if "discover" in toml_data:
        from roleswitch.core.organizations import organization_specs

        specs = organization_specs(toml_data, toml_path, toml_text, problems)

    from roleswitch.core.discovered import discovered_targets

    found = discovered_targets(
        config_targets + toml_targets,
        account_names,
        sso=sso,
        settings=settings,
        discovery_folder=discovery_folder,
        organizations=specs,
    )
    targets = found.targets
    if specs:
        # An organisation's targets are assumed from its source profile, which must exist.
        plain_sources = set(profiles) | credential_sections
        targets = [
            _check_toml_source(t, plain_sources) if t.origin == "organizations" else t for t in targets
        ]
    if toml_targets:
        # TOML targets may name a source that exists only in the AWS files, or an SSO role.
        known_sources = set(profiles) | credential_sections
        sso_roles = {t.name: t for t in targets if t.is_sso}
        sessions = {s.name for s in sso.sessions} if sso is not None else set()
        first = len(config_targets)
        targets[first : first + len(toml_targets)] = [
            _check_toml_source(t, known_sources, sso_roles, sessions)
            for t in targets[first : first + len(toml_targets)]
        ]
    if account_labels:
        targets = _labelled(targets, account_labels)

    return Catalogue(
        targets=tuple(targets),
        settings=settings,
        problems=tuple(dict.fromkeys(problems)),
        account_names=MappingProxyType(account_names),
        notes=tuple(found.notes),
        sso_configured=sso is not None,
        organizations_configured="discover" in toml_data,
    )


def load_settings(toml_path: Path | None = None) -> tuple[Settings, list[str]]:
    """Only the settings, for `status`: no AWS config parsing at all."""
    toml_path = toml_path or paths.roleswitch_config_path()
    problems: list[str] = []
    data, text = _read_toml(toml_path, problems)
    return _settings(data, toml_path, text, problems), problems


# --- AWS config file -------------------------------------------------------


def _read_ini_text(path: Path, problems: list[str]) -> str | None:
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        problems.append(f"{path} is a directory, not a file; it was skipped.")
        return None
    except OSError as error:
        problems.append(f"{path} could not be read ({error.strerror}); it was skipped.")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.append(f"{path} is not valid UTF-8 (byte {error.start}); it was skipped.")
        return None


def _read_ini(path: Path, problems: list[str]) -> list[tuple[str, dict[str, str], int]] | None:
    """(name, values, header line) of each section; None if the file is missing or unreadable."""
    text = _read_ini_text(path, problems)
    if text is None:
        return None
    sections = read_sections(text)  # the fast reader, for well-formed files
    if sections is not None:
        return sections
    doc = scan(text)
    lines = text.splitlines()
    for problem in doc.problems:
        line = lines[problem.line - 1].strip() if 0 < problem.line <= len(lines) else ""
        hint = " (a `[section` header without its `]`?)" if line.startswith("[") else ""
        problems.append(f"{path}, line {problem.line}: {problem.message}{hint}.")
    if doc.problems:
        # configparser, which botocore uses, gives up on the first such line.
        problems.append(
            f"AWS tools refuse all of {path} until that is fixed: no role that depends on it "
            "can be assumed, by roleswitch or anything else."
        )
    return [(s.name, s.values, s.header + 1) for s in doc.sections]


def _profiles(
    sections: list[tuple[str, dict[str, str], int]] | None,
) -> dict[str, tuple[dict[str, str], int]]:
    """Profile name -> (values, header line), as botocore reads them: every spelling of
    `[profile NAME]` and `[default]` (see `config_profiles`), the last section defining a
    profile winning, and `[DEFAULT]`'s keys given to every profile."""
    if sections is None:
        return {}
    profiles: dict[str, tuple[dict[str, str], int]] = {}
    defaults: dict[str, str] = {}
    for section_name, values, line in sections:
        if section_name == DEFAULTS:
            defaults.update(values)
            continue
        name = profile_name(section_name)
        if name is not None:
            profiles.pop(name, None)  # the later section wins, and takes its place in the order
            profiles[name] = (values, line)
    if defaults:
        return {name: ({**defaults, **values}, line) for name, (values, line) in profiles.items()}
    return profiles


def _config_targets(
    profiles: Mapping[str, tuple[dict[str, str], int]],
    credential_sections: set[str],
    config_path: Path,
    account_names: Mapping[str, str],
    sso: SsoConfig | None = None,
) -> list[Target]:
    targets = []
    path_text = str(config_path)  # one string shared by every target
    sso_profiles = {p.profile: p for p in sso.profiles} if sso is not None else {}
    for name, (values, line) in profiles.items():
        if "role_arn" not in values:
            if "sso_account_id" in values and "sso_role_name" in values:
                targets.append(_sso_profile_target(name, values, line, path_text, sso, sso_profiles))
            continue
        targets.append(_config_target(name, values, line, profiles, credential_sections, path_text))
    # Account display names come from the TOML and label these targets too.
    return [
        replace(t, account_name=account_names[t.account_id]) if t.account_id in account_names else t
        for t in targets
    ]


def _config_target(
    name: str,
    values: Mapping[str, str],
    line: int,
    profiles: Mapping[str, tuple[dict[str, str], int]],
    credential_sections: set[str],
    config_path: str,
) -> Target:
    """One role profile as a target. Runs 10,000 times for a big organisation: one ARN
    match, and only the optional keys the profile actually has."""
    arn = values.get("role_arn", "").strip()
    match = validate.ROLE_ARN_RE.match(arn) if 20 <= len(arn) <= 2048 else None
    if match is not None:
        account_id, role_name = match["account"], match["name"]
    else:
        account_id, role_name = _split_arn_loosely(arn)
    fields: dict[str, Any] = {}
    for key, field_name in _CONFIG_FIELDS:
        value = values.get(key)
        if value is not None:
            value = value.strip()
            if value:
                fields[field_name] = value
    problem = None
    try:
        if match is None:
            validate.role_arn(arn)  # raises the sentence
        if "mfa_serial" in fields:
            validate.mfa_serial(fields["mfa_serial"])
        if "external_id" in fields:
            validate.external_id(fields["external_id"])
        if "session_name" in fields:
            validate.session_name(fields["session_name"])
        if "duration_seconds" in values:
            fields["duration_seconds"] = validate.duration(values["duration_seconds"])
        problem = _source_problem(name, values, profiles, credential_sections)
    except ValidationError as error:
        problem = str(error)
    return Target(
        name=name,
        origin="aws-config",
        role_arn=arn,
        account_id=account_id,
        role_name=role_name,
        file=config_path,
        line=line,
        problem=problem,
        **fields,
    )


def _sso_config(
    config_doc: list[tuple[str, dict[str, str], int]] | None,
    profiles: Mapping[str, tuple[dict[str, str], int]],
    toml_data: Mapping[str, Any],
    config_path: Path,
    toml_path: Path,
    problems: list[str],
) -> SsoConfig | None:
    """The SSO sessions and profiles, read only when the files have any (one pass to see)."""
    has_sso = (
        "sso" in toml_data
        or any(name.startswith("sso-session") for name, _, _ in config_doc or ())
        or any("sso_account_id" in values or "sso_start_url" in values for values, _ in profiles.values())
    )
    if not has_sso:
        return None
    from roleswitch.core.sso.config import load_sso_config

    sso = load_sso_config(config_path, toml_path)
    problems.extend(sso.problems)
    return sso


def _sso_profile_target(
    name: str,
    values: Mapping[str, str],
    line: int,
    config_path: str,
    sso: SsoConfig | None,
    sso_profiles: Mapping[str, SsoProfile],
) -> Target:
    from roleswitch.core.sso.targets import profile_target

    profile = sso_profiles.get(name)
    session = sso.find(profile.session) if sso is not None and profile is not None else None
    return profile_target(name, values, line, config_path, profile, session)


_CONFIG_FIELDS = (
    ("source_profile", "source_profile"),
    ("credential_source", "credential_source"),
    ("region", "region"),
    ("mfa_serial", "mfa_serial"),
    ("external_id", "external_id"),
    ("role_session_name", "session_name"),
)


def _source_problem(
    name: str,
    values: Mapping[str, str],
    profiles: Mapping[str, tuple[dict[str, str], int]],
    credential_sections: set[str],
) -> str | None:
    source = values.get("source_profile", "").strip()
    credential_source = values.get("credential_source", "").strip()
    if source and credential_source:
        return "it sets both source_profile and credential_source; keep one."
    if credential_source:
        if credential_source not in CREDENTIAL_SOURCES:
            return f"credential_source '{credential_source}' is not one of {', '.join(CREDENTIAL_SOURCES)}."
        return None
    if not source:
        return "it has role_arn but neither source_profile nor credential_source."
    # Follow the chain of role profiles to find a loop or a missing source.
    seen = [name]
    current, current_values = source, values
    while True:
        if current == seen[-1] and current in profiles:
            # botocore allows a profile to be its own source when it holds keys.
            if "aws_access_key_id" in current_values:
                return None
            return "it names itself as source_profile but holds no keys of its own."
        if current not in profiles and current not in credential_sections:
            return f"source_profile '{current}' does not exist in the AWS config or credentials file."
        if current in seen:
            return f"source_profile loop: {' -> '.join([*seen, current])}."
        current_values = profiles[current][0] if current in profiles else {}
        if "role_arn" not in current_values:
            return None
        seen.append(current)
        nxt = current_values.get("source_profile", "").strip()
        if not nxt:
            return None  # a credential_source ends the chain
        current = nxt


def _split_arn_loosely(arn: str) -> tuple[str, str]:
    """Account id and role name even from a bad ARN, so the row still reads well."""
    try:
        return validate.split_role_arn(arn)
    except ValidationError:
        match = re.search(r":(\d{12}):", arn)
        return (match.group(1) if match else "", arn.rsplit("/", 1)[-1] or arn or "?")


# --- roleswitch TOML --------------------------------------------------------


def _read_toml(path: Path, problems: list[str]) -> tuple[dict[str, Any], str]:
    try:
        # "-sig": a byte-order mark, as Notepad writes and toml_edit keeps, is no error.
        text = read_regular_file(path).decode("utf-8-sig")
    except FileNotFoundError:
        return {}, ""
    except UnicodeDecodeError as error:
        problems.append(f"{path} is not valid UTF-8 (byte {error.start}); it was skipped.")
        return {}, ""
    except OSError as error:
        problems.append(f"{path} could not be read ({error.strerror}); it was skipped.")
        return {}, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: {error}; the file was skipped.")
        return {}, ""


def _where(path: Path, text: str, key: str) -> str:
    """`file, line N` for the first line assigning `key`, when it can be found."""
    line = _line_of(text, key)
    return f"{path}, line {line}" if line else str(path)


def _line_of(text: str, key: str) -> int | None:
    """The first line assigning `key`, else the first table header naming it."""
    assignments, headers = _line_index(text)
    return assignments.get(key) or headers.get(key)


@functools.lru_cache(maxsize=4)
def _line_index(text: str) -> tuple[dict[str, int], dict[str, int]]:
    """Where keys and table names first appear, built in one pass over the file.

    Looked up once per account and role: a search of the whole text for each
    made a 10,000-role file take 25 seconds to load.
    """
    assignments: dict[str, int] = {}
    headers: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inner = stripped.split("]", 1)[0].lstrip("[")
            for part in inner.split("."):
                headers.setdefault(part.strip().strip("\"'"), number)
        elif "=" in stripped and not stripped.startswith("#"):
            assignments.setdefault(stripped.split("=", 1)[0].strip().strip("\"'"), number)
    return assignments, headers


def _unknown(keys: Iterable[str], allowed: set[str]) -> list[str]:
    return sorted(k for k in keys if k not in allowed)


def _settings(data: Mapping[str, Any], path: Path, text: str, problems: list[str]) -> Settings:
    """`[settings]`, with the `[environments]` tables, of the TOML document `data`."""
    environments = _environments(data["environments"], path, text, problems) if "environments" in data else {}
    raw = data.get("settings", {})
    if not isinstance(raw, dict):
        problems.append(f"{path}: [settings] must be a table; defaults are used.")
        return Settings(environments=MappingProxyType(environments))
    for key in _unknown(raw, _SETTINGS_KEYS):
        problems.append(f"{_where(path, text, key)}: unknown setting '{key}'; it was ignored.")
    values: dict[str, Any] = {}
    checks = {
        "active_profile": ("active_profile", _section_name),
        "duration": ("duration_seconds", validate.duration),
        "session_name": ("session_name", validate.session_name),
        "renew_margin": ("renew_margin_seconds", _renew_margin),
        "auto_renew": ("auto_renew", _boolean),
        "source_profile": ("source_profile", _printable_str),
        "region": ("region", _printable_str),
        "mfa_session_duration": ("mfa_session_seconds", validate.session_token_duration),
        "browser": ("browser", _browser_template),
        "order": ("order", _order),
    }
    for key, (attribute, check) in checks.items():
        if key not in raw:
            continue
        try:
            values[attribute] = check(raw[key])
        except (ValidationError, TypeError) as error:
            problems.append(f"{_where(path, text, key)}: setting '{key}': {error} The default is used.")
    return Settings(**values, environments=MappingProxyType(environments))


def _order(value: object) -> str:
    if value not in ORDERS:
        raise ValidationError(f"must be {' or '.join(repr(o) for o in ORDERS)}, not {str(value)[:40]!r}.")
    return str(value)


def _environments(raw: object, path: Path, text: str, problems: list[str]) -> dict[str, Environment]:
    """`[environments.NAME]` tables: a colour and whether to ask before assuming. A bad value
    is reported and left out, except a bad `confirm`, which asks (the safe side)."""
    if not isinstance(raw, dict):
        problems.append(f"{path}: [environments] must be a table of environments; it was ignored.")
        return {}
    environments: dict[str, Environment] = {}
    for name, table in raw.items():
        where = _where(path, text, name)
        try:
            validate.label(name, "environment name")
        except ValidationError as error:
            problems.append(f"{where}: {error} It was ignored.")
            continue
        if not isinstance(table, dict):
            problems.append(f"{where}: environment '{name}' must be a table; it was ignored.")
            continue
        for key in _unknown(table, _ENVIRONMENT_KEYS):
            problems.append(f"{where}: environment '{name}' has unknown key '{key}'; it was ignored.")
        colour = None
        if "colour" in table and "color" in table:
            problems.append(f"{where}: environment '{name}' sets both colour and color; colour is used.")
        raw_colour = table.get("colour", table.get("color"))
        if raw_colour is not None:
            try:
                colour = validate.colour(raw_colour)
            except ValidationError as error:
                problems.append(f"{where}: environment '{name}': {error} It has no colour until fixed.")
        confirm = table.get("confirm", False)
        if not isinstance(confirm, bool):
            problems.append(
                f"{where}: environment '{name}': confirm must be true or false; "
                "roleswitch asks before each assume in it until that is fixed."
            )
            confirm = True
        environments[name] = Environment(name, colour, confirm)
    return environments


def _nonempty_str(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must be a non-empty string.")
    return value.strip()


def _printable_str(value: object) -> str:
    """A value that may reach an INI file: no line break or control character in it."""
    text = _nonempty_str(value)
    if not text.isprintable():
        raise ValidationError(f"{text!r} has a line break or control character.")
    return text


def _section_name(value: object) -> str:
    text = _nonempty_str(value)
    problem = section_name_problem(text)
    if problem:
        raise ValidationError(f"{problem}.")
    return text


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("must be true or false.")
    return value


def _browser_template(value: object) -> str:
    from roleswitch.core.browser import check_template  # shlex: only when the setting is there

    return check_template(value)


def _renew_margin(value: object) -> int:
    seconds = validate.parse_seconds(value, what="renew margin")
    if not 0 <= seconds <= 3600:
        raise ValidationError("renew margin must be between 0 and 1 hour.")
    return seconds


def _toml_targets(
    data: Mapping[str, Any],
    path: Path,
    text: str,
    settings: Settings,
    account_names: dict[str, str],
    account_labels: dict[str, tuple[str | None, tuple[str, ...]]],
    problems: list[str],
) -> list[Target]:
    """The TOML's targets; fills `account_names` and `account_labels` (environment and tags)
    by account id, for the targets of the same accounts from other sources."""
    # sso: read by core/sso/config.py; discover: by core/organizations.py
    for key in _unknown(data, {"settings", "accounts", "sso", "discover", "environments"}):
        problems.append(f"{_where(path, text, key)}: unknown table '{key}'; it was ignored.")
    accounts = data.get("accounts", {})
    if not isinstance(accounts, dict):
        problems.append(f"{path}: 'accounts' must be a table of accounts.")
        return []
    targets: list[Target] = []
    for key, account in accounts.items():
        where = _where(path, text, key)
        if not isinstance(account, dict):
            problems.append(f"{where}: account '{key}' must be a table.")
            continue
        account_problem = _account_problem(account, key)
        labels: dict[str, Any] = {}
        if not account_problem:
            try:
                labels = _labels(account)
            except RoleswitchError as error:
                account_problem = f"account '{key}': {error}"
        account_id = str(account.get("id", ""))
        if not account_problem and isinstance(account.get("name"), str):
            account_names[account_id] = account["name"]
        if not account_problem and ("environment" in labels or "tags" in labels):
            account_labels.setdefault(account_id, (labels.get("environment"), labels.get("tags", ())))
        roles = account.get("roles", [])
        if not isinstance(roles, list) or not roles:
            problems.append(f"{where}: account '{key}' has no [[accounts.{key}.roles]].")
            continue
        for role in roles:
            targets.append(_toml_target(key, account, account_problem, labels, role, settings, path, text))
    return targets


def _labels(table: Mapping[str, Any]) -> dict[str, Any]:
    """The `environment`, `tags` and `profile` an account or role sets, checked (raises the
    sentence): Target's field names and values, only those it has."""
    labels: dict[str, Any] = {}
    if "environment" in table:
        labels["environment"] = validate.label(table["environment"], "environment")
    if "tags" in table:
        labels["tags"] = validate.tags(table["tags"])
    if "profile" in table:
        labels["profile"] = _profile(table["profile"])
    return labels


def _profile(value: object) -> str:
    """A credentials-file profile to write to: a name that reads back as that one section."""
    from roleswitch.core.credentials_file import check_section_name

    if not isinstance(value, str) or not value.strip():
        raise ValidationError("profile must be the name of a profile in the credentials file.")
    check_section_name(value)  # raises the sentence
    return value


def _labelled(
    targets: list[Target], by_account: Mapping[str, tuple[str | None, tuple[str, ...]]]
) -> list[Target]:
    """Targets from the AWS config, Identity Center and organisations, with the environment
    and tags of the TOML account of the same id (unless they have their own)."""
    values_of = operator.attrgetter(*_TARGET_FIELDS)  # 3x faster than replace(), for 10,000
    environment_at, tags_at = _TARGET_FIELDS.index("environment"), _TARGET_FIELDS.index("tags")
    labelled = []
    for target in targets:
        labels = by_account.get(target.account_id) if target.origin != "roleswitch" else None
        if labels is not None and target.environment is None and not target.tags:
            values = list(values_of(target))
            values[environment_at], values[tags_at] = labels
            target = Target(*values)
        labelled.append(target)
    return labelled


def _account_problem(account: Mapping[str, Any], key: str) -> str | None:
    unknown = _unknown(account, _ACCOUNT_KEYS)
    if unknown:
        return f"account '{key}' has unknown key(s) {', '.join(unknown)}."
    try:
        validate.account_id(str(account.get("id", "")))
    except ValidationError as error:
        return f"account '{key}': {error}"
    for field_name in ("name", "source_profile", "region"):
        if field_name in account and not isinstance(account[field_name], str):
            return f"account '{key}': {field_name} must be a string."
    return None


def _toml_target(
    account_key: str,
    account: Mapping[str, Any],
    account_problem: str | None,
    account_labels: Mapping[str, Any],
    role: object,
    settings: Settings,
    path: Path,
    text: str,
) -> Target:
    if not isinstance(role, dict):
        role = {"name": str(role)}
    role_name = str(role.get("name", "")).strip() or "?"
    account_id = str(account.get("id", ""))
    arn = str(role.get("arn") or f"arn:aws:iam::{account_id}:role/{role_name}")
    name = f"{account_key}/{role_name}"
    source = role.get("source_profile") or account.get("source_profile") or settings.source_profile
    region = (role.get("region") or account.get("region") or settings.region) or None
    # First, so that no later reason quotes a line break back at the reader.
    problem = account_problem or _unprintable(name=name, region=region, source_profile=source)
    fields: dict[str, Any] = {}
    if problem is None:
        try:
            unknown = _unknown(role, _ROLE_KEYS)
            if unknown:
                raise ValidationError(f"role '{role_name}' has unknown key(s) {', '.join(unknown)}.")
            if role_name == "?":
                raise ValidationError("a role has no name.")
            validate.role_arn(arn)
            arn_account, _ = validate.split_role_arn(arn)
            if arn_account != account_id:
                raise ValidationError(f"role ARN {arn} belongs to account {arn_account}, not {account_id}.")
            for key in ("mfa_serial", "external_id", "session_name", "region", "source_profile"):
                if key in role and not isinstance(role[key], str):
                    raise ValidationError(f"{key} must be a string.")
            if role.get("mfa_serial"):
                fields["mfa_serial"] = validate.mfa_serial(role["mfa_serial"])
            if role.get("external_id"):
                fields["external_id"] = validate.external_id(role["external_id"])
            if role.get("session_name"):
                fields["session_name"] = validate.session_name(role["session_name"])
            if "duration" in role:
                fields["duration_seconds"] = validate.duration(role["duration"])
            fields.update(_role_labels(account_labels, role))
        except RoleswitchError as error:
            problem = str(error)
    if problem is not None:  # listed as invalid, still in its account's colours
        for key in ("environment", "tags"):
            if key in account_labels:
                fields.setdefault(key, account_labels[key])
    if problem is None and not source:
        problem = (
            "no source_profile: set one on the account or in [settings] "
            "(the profile whose credentials assume this role)."
        )
    return Target(
        name=name,
        origin="roleswitch",
        role_arn=arn,
        account_id=account_id,
        role_name=arn.rsplit("/", 1)[-1] if problem is None else role_name,
        account_name=account.get("name") if isinstance(account.get("name"), str) else None,
        source_profile=source if isinstance(source, str) else None,
        region=region,
        file=str(path),
        line=_line_of(text, account_key),
        problem=problem,
        **fields,
    )


def _role_labels(account: Mapping[str, Any], role: Mapping[str, Any]) -> dict[str, Any]:
    """The role's environment and profile, else the account's; the account's tags then the role's."""
    if not account and not (role.keys() & _LABEL_KEYS):
        return {}
    labels = {**account, **_labels(role)}
    if "tags" in account and "tags" in role:
        labels["tags"] = tuple(dict.fromkeys((*account["tags"], *labels["tags"])))
    return labels


def _unprintable(**values: object) -> str | None:
    """A reason if a value bound for the INI files has a line break or control character:
    written as it is, it would start a new key or section there."""
    for what, value in values.items():
        if isinstance(value, str) and not value.isprintable():
            return f"its {what.replace('_', ' ')} {value[:60]!r} has a line break or control character."
    return None


def _check_toml_source(
    target: Target,
    known_sources: set[str],
    sso_roles: Mapping[str, Target] = MappingProxyType({}),
    sso_sessions: set[str] | frozenset[str] = frozenset(),
) -> Target:
    """The target as it stands once its source is known: a profile, an SSO role (then
    assumed with that role's credentials), or a problem saying which is missing."""
    if target.problem is not None:
        return target
    source = target.source_profile
    sso_source = sso_roles.get(source) if source is not None else None
    if sso_source is not None and sso_source.name != target.name:
        return _chained_from_sso(target, sso_source)
    if source in known_sources:
        return target
    session = (source or "").split("/", 1)[0]
    if "/" in (source or "") and session in sso_sessions:
        problem = (
            f"source_profile '{source}' is not among the roles discovered for SSO session {session}; "
            f"run `roleswitch discover {session}` (or `roleswitch login {session}`), or fix the name."
        )
    else:
        problem = f"source_profile '{source}' does not exist in the AWS config or credentials file."
    return replace(target, problem=problem)


def _chained_from_sso(target: Target, source: Target) -> Target:
    """A TOML role whose source is an SSO role: one hop, within STS's chained-session limit."""
    problem = None
    if source.problem is not None:
        problem = f"its source, SSO role {source.name}, cannot be used: {source.problem}"
    elif target.duration_seconds is not None and target.duration_seconds > CHAINED_LIMIT:
        problem = (
            f"its source is the SSO role {source.name}, and STS ends a role assumed with another "
            "role's credentials within 1 hour; set its duration to 1h or less."
        )
    elif target.mfa_serial is not None:
        problem = (
            f"its source is the SSO role {source.name}, which signs in with Identity Center's own "
            "MFA; remove mfa_serial."
        )
    return replace(
        target,
        problem=problem,
        sso_session=source.sso_session,
        sso_source=f"{source.account_id}/{source.role_name}",
    )
