"""Persist a change to roleswitch's own TOML, keeping everything else in it.

The file is the person's: it is edited by line (`toml_edit`), never re-serialised,
under the same lock and atomic replace as the credentials file, so a concurrent
roleswitch or a crash never leaves half a file.
"""

from __future__ import annotations

from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.errors import ConfigError
from roleswitch.core.guarded_file import GuardedFile
from roleswitch.core.toml_edit import BOM, EditRefused, set_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.model import Target


def save_setting(key: str, value: object, path: Path | None = None) -> None:
    """Set `[settings] key = value`. Refuses (file untouched) if it cannot do exactly that."""
    path = path or paths.roleswitch_config_path()
    file = _guarded(path)
    with file.locked():
        text = file.read_text()
        try:
            new_text = set_value(text or "", "settings", key, value)
        except EditRefused as reason:
            raise ConfigError(
                f"{path} cannot be updated ({reason}); fix it first, or set {key} under [settings] by hand."
            ) from None
        file.replace(new_text, created=text is None)


def remember_profile(target: Target, profile: str, path: Path | None = None) -> None:
    """Write `profile = "NAME"` on the TOML role that is `target` (its `[[accounts.X.roles]]`
    entry), so it always goes to that credentials-file profile. Raises ConfigError (file
    untouched) for a target not from roleswitch's TOML or a file it cannot edit exactly;
    a name that is no plain profile name raises what the credentials file's check says."""
    from roleswitch.core.credentials_file import check_section_name

    if target.origin != "roleswitch":
        raise ConfigError(
            f"{target.name} is not a role of roleswitch's TOML config, so it cannot remember a profile; "
            "use --profile (or the profile dialog) each time."
        )
    check_section_name(profile)
    path = path or paths.roleswitch_config_path()
    file = _guarded(path)
    by_hand = f'add profile = "{profile}" to the [[accounts.ACCOUNT.roles]] of {target.name} by hand'
    with file.locked():
        text = file.read_text()
        if text is None:
            raise ConfigError(f"{path} does not exist, so {target.name} is not in it; {by_hand}.")
        try:
            account, name = _role_entry(text, target.name)
            new_text = set_value(
                text, ("accounts", account, "roles"), "profile", profile, entry=("name", name)
            )
        except EditRefused as reason:
            raise ConfigError(f"{path} cannot be updated ({reason}); fix it first, or {by_hand}.") from None
        if new_text != text:
            file.replace(new_text, created=False)


def _role_entry(text: str, target_name: str) -> tuple[str, object]:
    """The account key and the `name` value of the one TOML role the catalogue calls
    `target_name` (`ACCOUNT/NAME`, the name trimmed, as the catalogue makes it)."""
    import tomllib

    try:
        document = tomllib.loads(text.removeprefix(BOM))
    except tomllib.TOMLDecodeError as error:
        raise EditRefused(f"it does not parse ({error})") from None
    accounts = document.get("accounts")
    found = [
        (key, role["name"])
        for key, account in (accounts.items() if isinstance(accounts, dict) else ())
        if isinstance(account, dict) and isinstance(account.get("roles"), list)
        for role in account["roles"]
        if isinstance(role, dict) and f"{key}/{str(role.get('name', '')).strip()}" == target_name
    ]
    if len(found) != 1:
        raise EditRefused(
            f"it has no role {target_name}"
            if not found
            else f"it has {len(found)} roles called {target_name}, and roleswitch will not guess which one"
        )
    return found[0]


def _guarded(path: Path) -> GuardedFile:
    return GuardedFile(path, "roleswitch config file", "ROLESWITCH_CONFIG")
