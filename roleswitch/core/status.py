"""The active session, read for `roleswitch status`: fast enough for a shell prompt.

A prompt runs this before every command line, against credentials files that
may hold thousands of sections, so it imports no dataclasses, no TOML parser
unless the config sets `active_profile`, and reads one section of the
credentials file instead of all of it. Anything unusual (an unreadable file, a
TOML file that sets the profile) takes the full, slower path with its sentences.
A FIFO or a device is read without blocking and also takes the full path, which
refuses it in one sentence: a prompt must never hang.

A TOML file that sets `active_profile` is read in full once (TOML parser, the
settings' checks and their warnings), and the answer is remembered in the cache
folder against the identity of the TOML file and of the modules that read it
(see file_identity): the next prompt stats them instead of parsing.
"""

from __future__ import annotations

import os

from roleswitch.core import paths
from roleswitch.core.clock import parse_expiration
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.file_identity import identities, plainly_private, read_ours
from roleswitch.core.ini import section_values
from roleswitch.core.regular_file import read_regular_file

MANAGER = "roleswitch"
SETTINGS_MEMO = "status-settings.txt"
_MEMO_HEADER = "roleswitch status settings 1"
# The modules whose code decides the settings and their warnings.
_SETTINGS_MODULES = ("catalogue.py", "model.py", "validate.py", "status.py", "paths.py")


def active_profile() -> tuple[str, list[str]]:
    """The profile roleswitch writes, and any problems found in its TOML config."""
    path = paths.roleswitch_config_location()
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        return paths.DEFAULT_ACTIVE_PROFILE, []
    except OSError:
        data = b"active_profile"  # let the full loader say what is wrong
    if b"active_profile" not in data:
        return paths.DEFAULT_ACTIVE_PROFILE, []
    inputs = _settings_inputs(path)
    remembered = _remembered(inputs)
    if remembered is not None:
        return remembered
    from roleswitch.core.catalogue import load_settings

    settings, problems = load_settings()
    _remember(inputs, settings.active_profile, problems)
    return settings.active_profile, problems


def _settings_inputs(path: str) -> tuple[str, bool] | None:
    """The identity of the TOML file and of the code that reads it (see file_identity)."""
    from roleswitch import __version__

    here = os.path.dirname(__file__)
    found = identities([path, *(os.path.join(here, name) for name in _SETTINGS_MODULES)])
    return None if found is None else (f"{__version__}\0{found[0]}", found[1])


def _remembered(inputs: tuple[str, bool] | None) -> tuple[str, list[str]] | None:
    """The active profile and warnings remembered for exactly these inputs, if any."""
    folder = paths.cache_location()
    if inputs is None or not plainly_private(folder):
        return None
    data = read_ours(os.path.join(folder, SETTINGS_MEMO))
    try:
        lines = data.decode("utf-8").split("\n") if data is not None else []
    except UnicodeDecodeError:
        return None
    if len(lines) < 4 or lines[0] != _MEMO_HEADER or lines[-1] != "":
        return None  # not ours, or cut short
    if lines[1] != inputs[0].replace("\n", "\\n"):
        return None
    return lines[2], lines[3:-1]


def _remember(inputs: tuple[str, bool] | None, profile: str, problems: list[str]) -> None:
    """Written only when every input was settled before it was read, and nothing in it
    could break a line; anything else only makes the next prompt slower."""
    if inputs is None or not inputs[1] or any("\n" in text for text in (profile, *problems)):
        return
    import contextlib
    from pathlib import Path

    from roleswitch.core.guarded_file import atomic_write
    from roleswitch.core.private_folder import cache_folder_problem

    folder = paths.cache_dir()
    body = "\n".join([_MEMO_HEADER, inputs[0].replace("\n", "\\n"), profile, *problems, ""])
    with contextlib.suppress(OSError, RoleswitchError):
        if cache_folder_problem(folder, create=True) is None:
            atomic_write(Path(folder) / SETTINGS_MEMO, body.encode("utf-8"), 0o600)


def read_session(profile: str) -> dict | None:
    """What roleswitch wrote into `profile` (no secrets), or None if it wrote nothing there."""
    path = paths.aws_credentials_location()
    try:
        text = read_regular_file(path).decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        if not os.path.islink(path):
            return None
        return _full_read(profile)  # a dangling symlink: the full reader says so
    except (OSError, UnicodeDecodeError):
        return _full_read(profile)
    values = section_values(text, profile)
    if values is None or values.get("manager") != MANAGER:
        return None
    return {
        "target_name": values.get("roleswitch_target") or None,
        "role_arn": values.get("roleswitch_role_arn") or None,
        "assumed_arn": values.get("roleswitch_assumed_arn") or None,
        "expiration": parse_expiration(values.get("expiration", "")),
    }


def _full_read(profile: str) -> dict | None:
    from roleswitch.core.credentials_file import CredentialsFile

    session = CredentialsFile().read_active(profile)  # raises the one-sentence error
    if session is None:
        return None
    return {
        "target_name": session.target_name,
        "role_arn": session.role_arn,
        "assumed_arn": session.assumed_arn,
        "expiration": session.expiration,
    }
