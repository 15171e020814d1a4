"""The catalogue, remembered between runs while its files are unchanged.

Parsing 10,000 profiles (TOML with Python's own parser, INI line by line) takes
a few hundred milliseconds; the app's first frame should not wait for it. The
cache is keyed by a hash of exactly what the catalogue is built from: the
bytes of the AWS config file and roleswitch's TOML, and the environment that
chose those paths. Any change, or any trouble reading the cache, means a full
load. It is JSON, never pickle, and lives 0600 in roleswitch's private cache folder.

Of the credentials file the catalogue uses only whether it can be read and
decoded, and which of the source profiles that targets name are sections in
it (a missing one is a target's problem). So the entry lists those names with
whether each was there (`sources`), and a hit needs each to be there or not,
as then; any other section may come and go, and keys may change, without
making the next start cold. The names are every target's source_profile and
the settings' default source: a superset of what the catalogue looks up, since
every hop of a chain of role profiles is itself a target.

`load_catalogue_cached(defer_write=...)` hands the write of a fresh entry to
the caller, so the app can write it after its first frame, off the UI thread.

Beside the entry, `catalogue-toml.json` keeps what roleswitch's TOML alone gives
(catalogue.TomlPart: settings, its targets before they are checked against the AWS
files, account names and labels, its problems), keyed on the TOML's bytes only: after
an edit of the AWS config, a miss parses the config again but not the TOML, two thirds
of a 10,000-target load. A TOML with `sso` or `discover` tables keeps no part.

It is stored by column, and a column whose values come in runs (the account
id, the file, the source profile of consecutive targets) as one value per run:
the file is a third the size, it decodes faster, and each run's value is one
string shared by all its targets, which is how the loaded catalogue stays small.
The checksum only detects change (zlib's crc32 and adler32, plus each length):
hashlib alone costs start-up more to import than the whole check.

Discovered targets come from the discovery cache files (`sso-discovery-*.json` and
`organization-*.json` in the cache folder): their names, sizes and mtimes join the
key, so a finished discovery shows on the next start without a JSON parse on a hit.

The key also holds what decodes the cache: the field names, and the size and
mtime of each module that builds targets (a changed rule or field order must
not return stale or wrongly decoded targets; four stats cost microseconds).
The cache file is read only if it is a regular file of ours, without following
a symlink or blocking on a FIFO, and only from a folder that is the user's.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import zlib

from roleswitch import __version__
from roleswitch.core import paths
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.regular_file import read_regular_file

# The model (dataclasses) only when a catalogue is decoded, and pathlib only when one is
# loaded: credential-process's fast path stats the builders and the discovery caches.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from roleswitch.core.catalogue import TomlPart
    from roleswitch.core.model import Catalogue, Settings

_FORMAT = 6  # the cache layout: columns, some as runs; notes; sources; environments; sso, organizations
# Target fields that are tuples (JSON arrays in the cache).
_TUPLE_FIELDS = frozenset({"tags"})
# The modules whose code decides what a target is, from the files to the fields.
_BUILDERS = (
    "catalogue.py",
    "model.py",
    "validate.py",
    "ini.py",
    "catalogue_cache.py",
    "discovered.py",
    "sso/config.py",
    "sso/discovery.py",
    "sso/targets.py",
    "organizations.py",
)
# How the caches of discovered targets name their files in the cache folder: each
# source of discovered targets adds its own (tests keep them equal to DiscoveryCache's
# and organizations.CACHE_PREFIX; importing those here would cost every cache hit).
DISCOVERY_PREFIX = "sso-discovery-"
ORGANIZATION_PREFIX = "organization-"
DISCOVERY_PREFIXES: tuple[str, ...] = (DISCOVERY_PREFIX, ORGANIZATION_PREFIX)
TOML_PART_FILE = "catalogue-toml.json"  # beside the entry: see load_catalogue_cached


def __getattr__(name: str) -> tuple[str, ...]:
    """`_TARGET_FIELDS` and `_SETTINGS_FIELDS`, the names of Target's and Settings' fields in
    their order, made on first use: the model imports dataclasses, which a credential-process
    answered from its cache never needs."""
    if name not in ("_TARGET_FIELDS", "_SETTINGS_FIELDS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from dataclasses import fields

    from roleswitch.core.model import Settings, Target

    globals()["_TARGET_FIELDS"] = tuple(f.name for f in fields(Target))
    globals()["_SETTINGS_FIELDS"] = tuple(f.name for f in fields(Settings))
    return globals()[name]


def _field_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    module = sys.modules[__name__]
    return module._TARGET_FIELDS, module._SETTINGS_FIELDS


def builder_paths() -> list[str]:
    """The files of the modules that decide what a target is."""
    here = os.path.dirname(__file__)
    return [os.path.join(here, name) for name in _BUILDERS]


def _code_fingerprint() -> str:
    """The field names and the size and mtime of each builder module."""
    target_fields, settings_fields = _field_names()
    parts = [",".join(target_fields), ",".join(settings_fields)]
    for name, path in zip(_BUILDERS, builder_paths(), strict=True):
        try:
            info = os.stat(path)
        except OSError:
            parts.append(f"{name}:?")
        else:
            parts.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return "/".join(parts)


def load_catalogue_cached(
    folder: Path | None = None,
    *,
    discovery_folder: Path | None = None,
    defer_write: Callable[[Callable[[], None]], None] | None = None,
) -> Catalogue:
    """`load_catalogue()`, answered from the cache when nothing it reads has changed.

    On a miss the fresh entry is written at once, or, with `defer_write`, handed to it
    as a function to call later (from any thread)."""
    from pathlib import Path

    config, toml, credentials = (
        paths.aws_config_path(),
        paths.roleswitch_config_path(),
        paths.aws_credentials_path(),
    )
    discovery_folder = discovery_folder or paths.cache_dir()
    found = _key(config, toml, credentials)
    key, sections, toml_key = found if found is not None else (None, None, None)
    if key is not None:
        key += "\0" + discovery_key(discovery_folder)
    entry = Path(folder or paths.cache_dir()) / "catalogue.json"
    toml_entry = entry.with_name(TOML_PART_FILE)
    trusted = key is not None and _trusted(entry.parent, create=False)
    if trusted and key is not None and sections is not None:
        cached = _read(entry, key, sections)
        if cached is not None:
            return cached
    from roleswitch.core.catalogue import load_catalogue  # the parsers: only on a miss

    # The TOML's own part, kept apart: an edit of the AWS config does not parse it again.
    part = _read_toml_part(toml_entry, toml_key) if trusted and toml_key is not None else None
    made: list[TomlPart] = []
    catalogue = load_catalogue(
        config,
        toml,
        credentials,
        discovery_folder=discovery_folder,
        toml_part=part,
        made_toml_part=made.append,
    )
    if key is not None and sections is not None:
        write_key, write_sections = key, sections

        def write() -> None:
            _write(entry, write_key, catalogue, write_sections)
            if made and toml_key is not None:
                _write_toml_part(toml_entry, toml_key, made[0])

        if defer_write is None:
            write()
        else:
            defer_write(write)
    return catalogue


def _key(config: Path, toml: Path, credentials: Path) -> tuple[str, Sections, str] | None:
    """What the catalogue was built from, as one string: the format, the paths, a checksum
    and length of the config and TOML; and the credentials file's section names, which
    the entry's `sources` are checked against (None: the file is not UTF-8, and its bytes
    join the key, since the problem says where it is not: no sections). None if a file
    is unreadable. Third, the key of the TOML's own part: the format and the TOML's."""
    parts = [f"{_FORMAT}/{__version__}/{_code_fingerprint()}"]
    for path in (config, toml):
        try:
            data = read_regular_file(path)
        except FileNotFoundError:
            parts.append(f"{path}:missing")
            continue
        except OSError:
            return None  # let the full load say what is wrong
        parts.append(f"{path}:{_checksum(data)}")
    toml_key = f"{parts[0]}\0{parts[2]}"
    try:
        data = read_regular_file(credentials)
    except FileNotFoundError:
        parts.append(f"{credentials}:missing")
        return "\0".join(parts), Sections(""), toml_key
    except OSError:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parts.append(f"{credentials}:not-utf-8:{_checksum(data)}")
        return "\0".join(parts), Sections(""), toml_key
    parts.append(f"{credentials}:sections")
    return "\0".join(parts), Sections(text), toml_key


class Sections:
    """`name in Sections(text)` is `name in ini.section_names(text)`, found by looking for
    `[name]` instead of listing every header: a hit asks about a few names, and listing
    10,000 sections costs a start several milliseconds. After `FEW` questions it lists them
    once after all."""

    FEW = 16

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0
        self.names: set[str] | None = None

    def __contains__(self, name: object) -> bool:
        from roleswitch.core.ini import DEFAULTS, section_names

        if not isinstance(name, str) or not name or name == DEFAULTS or "\n" in name or "\r" in name:
            return False  # no header line can hold it
        self.asked += 1
        if self.names is None and self.asked > self.FEW:
            self.names = section_names(self.text) if self.text else set()
        if self.names is not None:
            return name in self.names
        return self._has_header(name)

    def _has_header(self, name: str) -> bool:
        """A line that is `[name]` after any blanks, with no `]` after it: the header regex
        takes the name up to the line's last `]`. A line starts after `\n` or `\r` (a `\r`
        that starts no line is always followed by `\n`, so the two readings agree)."""
        text, needle = self.text, f"[{name}]"
        at = text.find(needle)
        while at != -1:
            start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
            ends = [end for end in (text.find("\n", at), text.find("\r", at)) if end != -1]
            end = min(ends) if ends else len(text)
            if (start == at or text[start:at].isspace()) and "]" not in text[at + len(needle) : end]:
                return True
            at = text.find(needle, at + 1)
        return False


def _checksum(data: bytes) -> str:
    return f"{len(data)}:{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def named_sources(catalogue: Catalogue) -> set[str]:
    """Every profile name the catalogue may have looked for among the credentials file's
    sections: each target's source_profile (each hop of a chain is a target too), and
    the settings' default source."""
    names = {t.source_profile for t in catalogue.targets if t.source_profile}
    if catalogue.settings.source_profile:
        names.add(catalogue.settings.source_profile)
    return names


def discovery_key(folder: Path | str) -> str:
    """Name, size and mtime of each discovery cache file: a stat each, no read. The app
    compares it to notice a discovery made by another terminal."""
    parts = [str(folder)]
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.startswith(DISCOVERY_PREFIXES) and entry.name.endswith(".json"):
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    except FileNotFoundError:
        return str(folder)  # as an empty folder: the first start creates it
    except OSError:
        return f"{folder}:unreadable"
    parts[1:] = sorted(parts[1:])
    return "|".join(parts)


def _trusted(folder: Path, *, create: bool) -> bool:
    from roleswitch.core.private_folder import cache_folder_problem

    try:
        return cache_folder_problem(folder, create=create) is None
    except (OSError, RoleswitchError):
        return False


def _read_entry(entry: Path, key: str) -> dict | None:
    """The entry's JSON if it is for `key` (None if not). The key is the entry's first
    field, so a stale entry is told by its first bytes, without decoding the rest."""
    from roleswitch.core.private_folder import effective_uid

    raw = read_regular_file(entry, follow_symlinks=False, owner=effective_uid())
    if not raw.startswith(json.dumps({"key": key}, separators=(",", ":"))[:-1].encode("utf-8") + b","):
        return None
    data = json.loads(raw)
    return data if isinstance(data, dict) and data.get("key") == key else None


def _targets_encoded(targets) -> list:
    target_fields, _ = _field_names()
    return [_encoded([getattr(t, name) for t in targets]) for name in target_fields]


def _targets_decoded(data: dict) -> tuple:
    """The targets of an entry's `count` and `targets` columns."""
    from roleswitch.core.model import targets_from_columns

    target_fields, _ = _field_names()
    count = data["count"]
    columns = [
        _decoded(column, count, tuples=name in _TUPLE_FIELDS)
        for name, column in zip(target_fields, data["targets"], strict=True)
    ]
    return targets_from_columns(columns)


def _read_toml_part(entry: Path, key: str) -> TomlPart | None:
    from roleswitch.core.catalogue import TomlPart

    try:
        data = _read_entry(entry, key)
        if data is None:
            return None
        labels = {
            account: (environment, tuple(tags)) for account, (environment, tags) in data["labels"].items()
        }
        return TomlPart(
            settings=_settings_decoded(data["settings"]),
            targets=_targets_decoded(data),
            account_names=dict(data["account_names"]),
            account_labels=labels,
            problems=tuple(data["problems"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _write_toml_part(entry: Path, key: str, part: TomlPart) -> None:
    _write_entry(
        entry,
        {
            "key": key,
            "count": len(part.targets),
            "targets": _targets_encoded(part.targets),
            "settings": _settings_encoded(part.settings),
            "account_names": dict(part.account_names),
            "labels": {account: [env, list(tags)] for account, (env, tags) in part.account_labels.items()},
            "problems": list(part.problems),
        },
    )


def _read(entry: Path, key: str, sections: Sections) -> Catalogue | None:
    from types import MappingProxyType

    from roleswitch.core.model import Catalogue

    try:
        data = _read_entry(entry, key)
        if data is None:
            return None
        sources = data["sources"]
        if not isinstance(sources, dict) or any(
            (name in sections) != there for name, there in sources.items()
        ):
            return None  # a source that a target names appeared or went
        return Catalogue(
            targets=_targets_decoded(data),
            settings=_settings_decoded(data["settings"]),
            problems=tuple(data["problems"]),
            account_names=MappingProxyType(dict(data["account_names"])),
            notes=tuple(data["notes"]),
            sso_configured=data["sso"] is True,
            organizations_configured=data["organizations"] is True,
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _settings_encoded(settings: Settings) -> list:
    """The settings' values in field order; the environments as `[name, colour, confirm]`s."""
    _, settings_fields = _field_names()
    values = [getattr(settings, name) for name in settings_fields]
    at = settings_fields.index("environments")
    values[at] = [[e.name, e.colour, e.confirm] for e in settings.environments.values()]
    return values


def _settings_decoded(values: list) -> Settings:
    from types import MappingProxyType

    from roleswitch.core.model import Environment, Settings

    _, settings_fields = _field_names()
    if len(values) != len(settings_fields):
        raise ValueError("settings length")
    values = list(values)
    at = settings_fields.index("environments")
    environments = [Environment(name, colour, confirm) for name, colour, confirm in values[at]]
    values[at] = MappingProxyType({e.name: e for e in environments})
    return Settings(*values)


def _encoded(values: list) -> list:
    """`["runs", [value, count, ...]]` when the values come in runs, else `["values", values]`."""
    runs: list = []
    for value in values:
        if runs and runs[-2] == value:
            runs[-1] += 1
        else:
            runs += [value, 1]
    return ["runs", runs] if len(runs) < len(values) else ["values", values]


def _decoded(column: list, count: int, *, tuples: bool = False) -> list:
    """A column's values; with `tuples`, each value (a JSON array) as a tuple."""
    kind, data = column
    if kind == "values":
        values = [tuple(value) for value in data] if tuples else data
    elif kind == "runs":
        shared: dict = {}  # runs of the same value share one object too
        keep = shared.setdefault
        values = []
        for at in range(0, len(data), 2):
            value = tuple(data[at]) if tuples else data[at]
            values += [keep(value, value)] * data[at + 1]
    else:
        raise ValueError(kind)
    if len(values) != count:
        raise ValueError("column length")
    return values


def _write(entry: Path, key: str, catalogue: Catalogue, sections: Sections) -> None:
    targets = catalogue.targets
    _write_entry(
        entry,
        {
            "key": key,
            "count": len(targets),
            "targets": _targets_encoded(targets),
            "settings": _settings_encoded(catalogue.settings),
            "problems": list(catalogue.problems),
            "account_names": dict(catalogue.account_names),
            "notes": list(catalogue.notes),
            "sso": catalogue.sso_configured,
            "organizations": catalogue.organizations_configured,
            "sources": {name: name in sections for name in sorted(named_sources(catalogue))},
        },
    )


def _write_entry(entry: Path, data: dict) -> None:
    """`data` as the JSON at `entry`, "key" first (see _read_entry)."""
    from roleswitch.core.guarded_file import atomic_write

    if not _trusted(entry.parent, create=True):
        return  # a cache that cannot be written or trusted only makes the next start slower
    with contextlib.suppress(OSError, TypeError, ValueError):  # TypeError: a value JSON cannot hold
        atomic_write(entry, json.dumps(data, separators=(",", ":")).encode("utf-8"), 0o600)
