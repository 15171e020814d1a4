"""Persist a change to roleswitch's own TOML settings, keeping everything else in it."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.credentials_file import atomic_write
from roleswitch.core.errors import ConfigError


def save_setting(key: str, value: object, path: Path | None = None) -> None:
    """Set `[settings] key = value`. Refuses (file untouched) if the file does not parse."""
    import tomli_w

    path = path or paths.roleswitch_config_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path} cannot be updated ({error}); fix it first.") from None
    settings = data.setdefault("settings", {})
    if not isinstance(settings, dict):
        raise ConfigError(f"{path}: [settings] is not a table; fix it first.")
    settings[key] = value
    real = Path(os.path.realpath(path))
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        mode = real.stat().st_mode & 0o777 if real.exists() else 0o644
        atomic_write(real, tomli_w.dumps(data).encode("utf-8"), mode)
    except OSError as error:
        raise ConfigError(f"Cannot write {path} ({error.strerror}).") from None
