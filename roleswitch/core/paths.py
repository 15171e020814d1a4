"""Where the files live, resolved from the environment the way AWS tools do."""

from __future__ import annotations

import os
from pathlib import Path


def _expand(value: str) -> Path:
    return Path(os.path.expanduser(value))


def aws_config_path() -> Path:
    """`AWS_CONFIG_FILE`, else `~/.aws/config`."""
    return _expand(os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config")


def aws_credentials_path() -> Path:
    """`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`."""
    return _expand(os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials")


def roleswitch_config_path() -> Path:
    """`ROLESWITCH_CONFIG`, else `$XDG_CONFIG_HOME/roleswitch/config.toml`, else `~/.config/...`."""
    explicit = os.environ.get("ROLESWITCH_CONFIG")
    if explicit:
        return _expand(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return _expand(base) / "roleswitch" / "config.toml"


def cache_dir() -> Path:
    """`ROLESWITCH_CACHE_DIR`, else `$XDG_CACHE_HOME/roleswitch`, else `~/.cache/roleswitch`.

    Holds MFA sessions and credential_process role credentials, each file 0600.
    """
    explicit = os.environ.get("ROLESWITCH_CACHE_DIR")
    if explicit:
        return _expand(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or "~/.cache"
    return _expand(base) / "roleswitch"
