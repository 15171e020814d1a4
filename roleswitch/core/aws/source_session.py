"""A boto3 session for one source profile that never parses the whole AWS config.

`boto3.Session(profile_name=...)` hands botocore the config and credentials files,
and botocore parses every line of both with configparser, once per session, and
again in the file-based credential providers: at 10,000 profiles that is seconds
for each STS call. Only the source profile's chain matters to botocore: the
profile itself, the profiles its `source_profile` names (in both files, as
botocore merges them), and the `[sso-session]` and `[services]` sections they
name. This module cuts exactly those sections out of the files (their headers
found by one regular-expression search for each name), gives their text to
configparser the way botocore would, and hands botocore a session that sees only
them: everything else (which provider wins, credential_process, chained roles,
SSO, environment credentials, a source's own mfa_serial prompt) is still botocore's own code. The cut
is remembered against the files' identities (file_identity) once they are at rest.

Whenever the cut could differ from what botocore would read (a `[DEFAULT]` section,
a quoted or indented header, a lone `\\r`, a repeated section, a file that is not
UTF-8 or that configparser refuses...), the session reads the whole files as
botocore always does: slower, and exactly botocore. One difference remains by
design: a line botocore cannot parse OUTSIDE the chain no longer stops the call
(botocore refuses the whole file); `roleswitch list` still reports that line.
"""

from __future__ import annotations

import configparser
import copy
import os
import re
import threading
from typing import Any

from roleswitch.core.config_profiles import profile_name as config_profile_name
from roleswitch.core.ini import DEFAULTS, has_lone_cr, header_name
from roleswitch.core.regular_file import read_regular_file

# The section kinds botocore's `build_profile_map` files under their own keys.
_KINDS = {"profile": "profiles", "sso-session": "sso_sessions", "services": "services"}
_SHLEX_SPECIAL_BYTES = (b"'", b'"', b"\\")
_QUOTED_HEADER = re.compile(rb"^[^\S\r\n]*\[[^\r\n]*[\"'\\]", re.MULTILINE)
_COLUMN_ZERO_HEADER = re.compile(rb"^\[[^\r\n]+\]", re.MULTILINE)
_MAX_CHAIN = 64  # botocore refuses longer loops itself; this only bounds the walk


class _Unsure(Exception):
    """The cut might differ from what botocore reads: use the ordinary session."""


def source_session(profile: str | None = None, **credentials: Any):
    """A `boto3.Session` for `profile` (None: botocore's own choice, AWS_PROFILE or
    default), with explicit `credentials` (boto3's `aws_access_key_id`, ...) if given,
    whose botocore reads only that profile's chain from the AWS files.

    Every session shares one botocore data loader: each new session would otherwise load
    and drop STS's model and endpoint rules again, 26,000 objects of cyclic garbage a
    call, whose collection walks the app's whole heap (full GC pauses of 50 ms and more
    on the event loop at 10,000 targets)."""
    import boto3

    session = _botocore_session(profile)
    loader = shared_data_loader(session)  # a missing profile raises here, as in boto3
    session.register_component("data_loader", loader)
    with _loaders_lock:
        made = boto3.Session(botocore_session=session, **credentials)
        paths = loader.search_paths  # boto3 appends its own data folder to it on every session
        while len(paths) > 1 and paths[-1] in paths[:-1]:
            paths.pop()
    return made


_loaders: dict[object, Any] = {}
_loaders_lock = threading.Lock()


def shared_data_loader(session) -> Any:
    """The one botocore data loader for `session`'s data path (its own, the first time):
    what it has loaded (models, endpoint rules, partitions) stays loaded for every caller."""
    data_path = session.get_config_variable("data_path")
    with _loaders_lock:
        loader = _loaders.get(data_path)
        if loader is None:
            loader = _loaders[data_path] = session.get_component("data_loader")
    return loader


def chain_session(profile: str | None = None):
    """A botocore session for `profile` that sees only its chain, or None when only
    botocore's full parse can say what the files mean (the caller then uses it)."""
    session = _botocore_session(profile)
    return session if session.sees_chain_only else None


def _botocore_session(profile: str | None):
    """A botocore session for `profile`: one that sees only its chain when the cut is
    sure, else one that reads the whole files as botocore always does."""
    session = _new_chain_session(profile)
    name = session.get_config_variable("profile") or "default"  # instance or env: no file read
    config_path = _expanded(session.get_config_variable("config_file"))
    credentials_path = _expanded(session.get_config_variable("credentials_file"))
    cut = _remembered_cut(config_path, credentials_path, name)
    if cut is not None:
        session.see_only(*cut)
    return session


def _remembered_cut(config_path: str | None, credentials_path: str | None, name: str):
    """`chain_sections` of the two files for `name`, or None if unsure; remembered against
    the files' identities (see file_identity) once they are settled, so the app's next
    Enter on an unchanged home reads nothing."""
    from roleswitch.core.file_identity import identities

    known = identities([config_path, credentials_path]) if config_path and credentials_path else None
    key = (known[0], name) if known is not None and known[1] else None
    if key is not None and key in _cuts:
        return _cuts[key]
    try:
        cut = chain_sections(_read(config_path), _read(credentials_path), name)
    except _Unsure:
        cut = None
    if key is not None:
        if len(_cuts) >= _CUTS_KEPT:
            _cuts.clear()
        _cuts[key] = cut
    return cut


_CUTS_KEPT = 32
_cuts: dict[tuple[str, str], Any] = {}


def chain_sections(
    config_data: bytes | None, credentials_data: bytes | None, profile: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What botocore's `load_config(config)` and `raw_config_parse(credentials)` give for
    the sections `profile`'s chain uses (None for a missing file); `_Unsure` if a cut
    could differ from the whole file's parse."""
    for data in (config_data, credentials_data):
        if data is not None:
            _check_plain(data)
    import botocore.configloader

    config_raw: dict[str, dict[str, Any]] = {}
    credentials_raw: dict[str, dict[str, Any]] = {}
    pending = [profile]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if len(seen) >= _MAX_CHAIN:
            raise _Unsure
        seen.add(name)
        merged: dict[str, Any] = {}
        if config_data is not None:
            for section, values in _parsed_sections(config_data, "profile", name).items():
                config_raw[section] = values
                merged.update(values)
        if credentials_data is not None:
            for section, values in _parsed_sections(credentials_data, None, name).items():
                credentials_raw[section] = values
                merged.update(values)
        source = merged.get("source_profile")
        if isinstance(source, str):
            pending.append(source)
        if config_data is None:
            continue
        for kind, key in (("sso-session", "sso_session"), ("services", "services")):
            value = merged.get(key)
            if isinstance(value, str):
                config_raw.update(_parsed_sections(config_data, kind, value))
    config = botocore.configloader.build_profile_map(config_raw) if config_data is not None else None
    return config, credentials_raw if credentials_data is not None else None


def _expanded(path: str | None) -> str | None:
    if path is None:
        return None
    return os.path.expanduser(os.path.expandvars(path))


def _read(path: str | None) -> bytes | None:
    """The file's bytes, or None where botocore would find no file (it checks isfile)."""
    if path is None or not os.path.isfile(path):
        return None
    try:
        return read_regular_file(path)
    except OSError:
        raise _Unsure from None  # botocore's own attempt says what is wrong


def _check_plain(data: bytes) -> None:
    """Refuse files whose sections only a whole parse can place."""
    if data.startswith(b"\xef\xbb\xbf") or has_lone_cr(data) or f"[{DEFAULTS}]".encode() in data:
        raise _Unsure
    if any(mark in data for mark in _SHLEX_SPECIAL_BYTES) and _QUOTED_HEADER.search(data):
        raise _Unsure
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unsure from None


def _defines(section: str, kind: str | None) -> str | None:
    """The name `[section]` gives under `kind` ("profile", "sso-session", "services"; None
    for the credentials file, where a section is named as written), per `build_profile_map`."""
    if kind is None:
        return section
    if kind == "profile":
        return config_profile_name(section)
    if not section.startswith(kind) or (kind == "services" and section.startswith("sso-session")):
        return None
    parts = section.split()
    return parts[1] if len(parts) == 2 else None


def _parsed_sections(data: bytes, kind: str | None, name: str) -> dict[str, dict[str, Any]]:
    """configparser's reading (botocore's way) of the one section of `data` that defines
    `name` under `kind`, keyed by its section name; empty if none does."""
    plain = {f"{kind} {name}"} if kind else {name}
    if kind == "profile" and name == "default":
        plain = {"default", "profile default"}
    found: list[tuple[str, int]] = []
    # Every `[` followed on its line by the name: a search led by a literal runs at C speed
    # and never stops at the thousands of `source_profile = NAME` lines of a large file.
    pattern = re.compile(rb"\[[^\r\n]*?" + re.escape(name.encode("utf-8")))
    for match in pattern.finditer(data):
        at = match.start()
        line_start = data.rfind(b"\n", 0, at) + 1
        if data[line_start:at].decode("utf-8").strip():
            continue  # a `[` inside a value or after another one: not where a header starts
        line_end = data.find(b"\n", at)
        line = data[line_start : len(data) if line_end == -1 else line_end]
        section = header_name(line.decode("utf-8").strip())
        if section is not None and _defines(section, kind) == name:
            if section not in plain or line_start != at:
                raise _Unsure  # an unusual spelling, or an indented header
            found.append((section, line_start))
    if not found:
        return {}
    if len(found) > 1:
        raise _Unsure  # a repeated section: botocore refuses the file, or the later one wins
    section, start = found[0]
    following = _COLUMN_ZERO_HEADER.search(data, data.find(b"\n", start) + 1 or len(data))
    text = data[start : following.start() if following else len(data)].decode("utf-8")
    return _configparser_reading(text)


def _configparser_reading(text: str) -> dict[str, dict[str, Any]]:
    """`botocore.configloader.raw_config_parse` of `text` instead of a file."""
    from botocore.configloader import _parse_nested

    parser = configparser.RawConfigParser()
    try:
        parser.read_string(text)
    except configparser.Error:
        raise _Unsure from None
    parsed: dict[str, dict[str, Any]] = {}
    for section in parser.sections():
        parsed[section] = {}
        for option in parser.options(section):
            value: Any = parser.get(section, option)
            if value.startswith("\n"):
                try:
                    value = _parse_nested(value)
                except ValueError:
                    raise _Unsure from None
            parsed[section][option] = value
    return parsed


def _chain_session_class():
    import botocore.credentials
    import botocore.session

    class ChainProviderBuilder(botocore.credentials.ProfileProviderBuilder):
        """botocore's builder of a profile's providers, reading the files through the cut."""

        def __init__(self, session, config_only, credentials_only, **kwargs) -> None:
            super().__init__(session, **kwargs)
            self._config_only = config_only
            self._credentials_only = credentials_only

        def _create_shared_credential_provider(self, profile_name):
            return _shared_credentials_provider(self._session, profile_name, self._credentials_only)

        def _create_config_provider(self, profile_name):
            return _config_provider(self._session, profile_name, self._config_only)

    class ChainSession(botocore.session.Session):
        """botocore's session; after `see_only`, the files it sees are the chain's cut."""

        def __init__(self, profile) -> None:
            super().__init__(profile=profile)
            self.sees_chain_only = False
            self._config_only: dict[str, Any] | None = None
            self._credentials_only: dict[str, Any] | None = None
            self._chain_config: dict[str, Any] = {}

        def see_only(self, config_only, credentials_only) -> None:
            """Show botocore only these (copies: a remembered cut is shared by sessions)."""
            self._config_only = copy.deepcopy(config_only)
            self._credentials_only = copy.deepcopy(credentials_only)
            self._chain_config = _merged(config_only, credentials_only)
            self.sees_chain_only = True

        @property
        def full_config(self):
            return self._chain_config if self.sees_chain_only else super().full_config

        def _create_credential_resolver(self):
            resolver = super()._create_credential_resolver()
            if not self.sees_chain_only:
                return resolver
            providers = resolver.providers
            for index, provider in enumerate(providers):
                if isinstance(provider, botocore.credentials.SharedCredentialProvider):
                    providers[index] = _shared_credentials_provider(
                        self, provider._profile_name, self._credentials_only
                    )
                elif isinstance(provider, botocore.credentials.ConfigProvider):
                    providers[index] = _config_provider(self, provider._profile_name, self._config_only)
                elif isinstance(provider, botocore.credentials.AssumeRoleProvider):
                    provider._profile_provider_builder = ChainProviderBuilder(
                        self,
                        self._config_only,
                        self._credentials_only,
                        cache=provider.cache,
                        region_name=self._last_client_region_used,
                    )
            return resolver

    return ChainSession


def _shared_credentials_provider(session, profile_name, credentials_only):
    import botocore.credentials

    return botocore.credentials.SharedCredentialProvider(
        profile_name=profile_name,
        creds_filename=session.get_config_variable("credentials_file"),
        ini_parser=_cut_reader(credentials_only),
    )


def _config_provider(session, profile_name, config_only):
    import botocore.credentials

    return botocore.credentials.ConfigProvider(
        profile_name=profile_name,
        config_filename=session.get_config_variable("config_file"),
        config_parser=_cut_reader(config_only),
    )


def _cut_reader(cut: dict[str, Any] | None):
    """A provider's file parser that answers with the cut: botocore's ConfigNotFound for
    a missing file, as its own parser says."""

    def read(path):
        from botocore.exceptions import ConfigNotFound

        if cut is None:
            raise ConfigNotFound(path=path)
        return cut

    return read


def _merged(config_only: dict[str, Any] | None, credentials_only: dict[str, Any] | None) -> dict[str, Any]:
    """botocore's `full_config`: the config file's map, the credentials file's profiles
    merged into its profiles."""
    merged = copy.deepcopy(config_only) if config_only is not None else {"profiles": {}}
    for profile, values in (credentials_only or {}).items():
        if profile not in merged["profiles"]:
            merged["profiles"][profile] = dict(values)
        else:
            merged["profiles"][profile].update(values)
    return merged


_session_class = None


def _new_chain_session(profile):
    global _session_class
    if _session_class is None:
        _session_class = _chain_session_class()
    return _session_class(profile)
