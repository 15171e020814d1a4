"""Persist a change to roleswitch's own TOML settings, keeping everything else in it.

The file is the person's: it is edited by line (`toml_edit`), never re-serialised,
under the same lock and atomic replace as the credentials file, so a concurrent
roleswitch or a crash never leaves half a file.
"""

from __future__ import annotations

from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.errors import ConfigError
from roleswitch.core.guarded_file import GuardedFile
from roleswitch.core.toml_edit import EditRefused, set_value


def save_setting(key: str, value: object, path: Path | None = None) -> None:
    """Set `[settings] key = value`. Refuses (file untouched) if it cannot do exactly that."""
    path = path or paths.roleswitch_config_path()
    file = GuardedFile(path, "roleswitch config file", "ROLESWITCH_CONFIG")
    with file.locked():
        text = file.read_text()
        try:
            new_text = set_value(text or "", "settings", key, value)
        except EditRefused as reason:
            raise ConfigError(
                f"{path} cannot be updated ({reason}); fix it first, or set {key} under [settings] by hand."
            ) from None
        file.replace(new_text, created=text is None)
