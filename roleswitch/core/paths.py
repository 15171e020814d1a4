"""Where the files live, resolved from the environment the way AWS tools do.

The `*_location` functions return plain strings and this module imports no
`pathlib` at load time: `roleswitch status` runs in shell prompts, and pathlib
alone costs it 4 ms. The `*_path` functions wrap the same answers in `Path`.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing itself costs a prompt ~5 ms to import
if TYPE_CHECKING:
    from pathlib import Path

DEFAULT_ACTIVE_PROFILE = "default"


def _expand(value: str) -> str:
    return os.path.expanduser(value)


def aws_config_location() -> str:
    """`AWS_CONFIG_FILE`, else `~/.aws/config`."""
    return _expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def aws_credentials_location() -> str:
    """`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`."""
    return _expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def roleswitch_config_location() -> str:
    """`ROLESWITCH_CONFIG`, else `$XDG_CONFIG_HOME/roleswitch/config.toml`, else `~/.config/...`."""
    explicit = os.environ.get("ROLESWITCH_CONFIG")
    if explicit:
        return _expand(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return os.path.join(_expand(base), "roleswitch", "config.toml")


def cache_location() -> str:
    """`ROLESWITCH_CACHE_DIR`, else `$XDG_CACHE_HOME/roleswitch`, else `~/.cache/roleswitch`.

    Holds MFA sessions and credential_process role credentials, each file 0600.
    """
    explicit = os.environ.get("ROLESWITCH_CACHE_DIR")
    if explicit:
        return _expand(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return os.path.join(_expand(base), "roleswitch")


def state_location() -> str:
    """`ROLESWITCH_STATE_DIR`, else `$XDG_STATE_HOME/roleswitch`, else `~/.local/state/roleswitch`.

    Holds what roleswitch learns from use (pins, recently used targets), not settings:
    the person's config file is theirs to edit.
    """
    explicit = os.environ.get("ROLESWITCH_STATE_DIR")
    if explicit:
        return _expand(explicit)
    base = os.environ.get("XDG_STATE_HOME") or "~/.local/state"
    return os.path.join(_expand(base), "roleswitch")


def aws_config_path() -> Path:
    return _as_path(aws_config_location())


def aws_credentials_path() -> Path:
    return _as_path(aws_credentials_location())


def roleswitch_config_path() -> Path:
    return _as_path(roleswitch_config_location())


def cache_dir() -> Path:
    return _as_path(cache_location())


def state_dir() -> Path:
    return _as_path(state_location())


def _as_path(location: str) -> Path:
    from pathlib import Path

    return Path(location)
