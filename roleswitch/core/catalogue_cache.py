"""The catalogue, remembered between runs while its files are unchanged.

Parsing 10,000 profiles (TOML with Python's own parser, INI line by line) takes
a few hundred milliseconds; the app's first frame should not wait for it. The
cache is keyed by a hash of exactly what the catalogue is built from: the
bytes of the AWS config file and roleswitch's TOML, the section names of the
credentials file, and the environment that chose those paths. Any change, or
any trouble reading the cache, means a full load. It is JSON, never pickle,
and lives 0600 in roleswitch's private cache folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType

from roleswitch import __version__
from roleswitch.core import paths
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.guarded_file import atomic_write, ensure_private_folder
from roleswitch.core.model import Catalogue, Settings, Target

_TARGET_FIELDS = tuple(f.name for f in fields(Target))
_SETTINGS_FIELDS = tuple(f.name for f in fields(Settings))
_SHARED_FIELDS = tuple(
    _TARGET_FIELDS.index(name)
    for name in (
        "origin",
        "account_name",
        "source_profile",
        "credential_source",
        "region",
        "file",
        "session_name",
    )
)


def load_catalogue_cached(folder: Path | None = None) -> Catalogue:
    """`load_catalogue()`, answered from the cache when nothing it reads has changed."""
    config, toml, credentials = (
        paths.aws_config_path(),
        paths.roleswitch_config_path(),
        paths.aws_credentials_path(),
    )
    key = _key(config, toml, credentials)
    entry = Path(folder or paths.cache_dir()) / "catalogue.json"
    if key is not None:
        cached = _read(entry, key)
        if cached is not None:
            return cached
    catalogue = load_catalogue(config, toml, credentials)
    if key is not None:
        _write(entry, key, catalogue)
    return catalogue


def _key(*files: Path) -> str | None:
    # sha1 only detects change here; nothing trusts it for security.
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{__version__}\0{_TARGET_FIELDS}\0{_SETTINGS_FIELDS}".encode())
    for index, path in enumerate(files):
        digest.update(f"\0{path}\0".encode())
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            digest.update(b"missing")
            continue
        except OSError:
            return None  # let the full load say what is wrong
        if index == 2:  # the credentials file: only its [section] lines count, not the keys
            data = b"\n".join(chunk[: chunk.find(b"\n")] for chunk in data.split(b"\n["))
        digest.update(data)
    return digest.hexdigest()


def _read(entry: Path, key: str) -> Catalogue | None:
    try:
        data = json.loads(entry.read_bytes())
        if data.get("key") != key:
            return None
        return Catalogue(
            targets=_targets(data["targets"]),
            settings=Settings(*data["settings"]),
            problems=tuple(data["problems"]),
            account_names=MappingProxyType(dict(data["account_names"])),
        )
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _targets(rows: list[list]) -> tuple[Target, ...]:
    """Targets from cached rows. Values many targets share (a file, a region, a source)
    become one string each, and each row is dropped once used: lower peak memory."""
    shared: dict[str, str] = {}
    keep = shared.setdefault
    targets = []
    for number, row in enumerate(rows):
        for index in _SHARED_FIELDS:
            value = row[index]
            if value is not None:
                row[index] = keep(value, value)
        targets.append(Target(*row))
        rows[number] = None  # type: ignore[call-overload]
    return tuple(targets)


def _write(entry: Path, key: str, catalogue: Catalogue) -> None:
    data = {
        "key": key,
        "targets": [[getattr(t, name) for name in _TARGET_FIELDS] for t in catalogue.targets],
        "settings": [getattr(catalogue.settings, name) for name in _SETTINGS_FIELDS],
        "problems": list(catalogue.problems),
        "account_names": dict(catalogue.account_names),
    }
    try:
        ensure_private_folder(entry.parent)
        atomic_write(entry, json.dumps(data, separators=(",", ":")).encode("utf-8"), 0o600)
    except (OSError, RoleswitchError):
        pass  # a cache that cannot be written only makes the next start slower
