"""The active session, read for `roleswitch status`: fast enough for a shell prompt.

A prompt runs this before every command line, against credentials files that
may hold thousands of sections, so it imports no dataclasses, no TOML parser
unless the config sets `active_profile`, and reads one section of the
credentials file instead of all of it. Anything unusual (an unreadable file, a
TOML file that sets the profile) takes the full, slower path with its sentences.
A FIFO or a device is read without blocking and also takes the full path, which
refuses it in one sentence: a prompt must never hang.
"""

from __future__ import annotations

import os

from roleswitch.core import paths
from roleswitch.core.clock import parse_expiration
from roleswitch.core.ini import section_values
from roleswitch.core.regular_file import read_regular_file

MANAGER = "roleswitch"


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
    from roleswitch.core.catalogue import load_settings

    settings, problems = load_settings()
    return settings.active_profile, problems


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
