"""`export` lines for a shell, shared by `roleswitch env` and the app's copy key.

The values come from an STS answer and a config file, and the lines are meant
for `eval`, so each shell gets its own quoting: POSIX rules in fish let a value
ending in a backslash close the quote and run the rest as a command.
"""

from __future__ import annotations

import shlex

from roleswitch.core.credentials_file import format_expiration
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Credentials

SHELLS = ("sh", "fish", "powershell")
# Shells that read POSIX sh syntax for `export NAME='value'`.
POSIX_ALIASES = ("bash", "zsh")

# PowerShell ends a single-quoted string at any of these, not only at ASCII '.
_POWERSHELL_QUOTES = "'\u2018\u2019\u201a\u201b"


def export_lines(credentials: Credentials, region: str | None, shell: str = "sh") -> list[str]:
    """Lines that put these credentials (and the region, for every SDK) into a shell."""
    values = {
        "AWS_ACCESS_KEY_ID": credentials.access_key_id,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_access_key,
        "AWS_SESSION_TOKEN": credentials.session_token,
        "AWS_CREDENTIAL_EXPIRATION": format_expiration(credentials.expiration),
    }
    if region:
        values["AWS_REGION"] = region
        values["AWS_DEFAULT_REGION"] = region
    for name, value in values.items():
        _check_printable(name, value)
    if shell == "fish":
        return [f"set -gx {k} {fish_quote(v)};" for k, v in values.items()]
    if shell == "powershell":
        return [f"$Env:{k} = {powershell_quote(v)}" for k, v in values.items()]
    if shell in SHELLS or shell in POSIX_ALIASES:
        return [f"export {k}={shlex.quote(v)}" for k, v in values.items()]
    raise ValidationError(f"shell '{shell}' is not supported; use sh, bash, zsh, fish or powershell.")


def fish_quote(value: str) -> str:
    """fish single quotes: only a backslash and a quote are special inside them."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def powershell_quote(value: str) -> str:
    """PowerShell single quotes: a quote character is written twice; nothing else expands."""
    for quote in _POWERSHELL_QUOTES:
        value = value.replace(quote, quote * 2)
    return f"'{value}'"


def _check_printable(name: str, value: str) -> None:
    """A newline or control character would end the line `eval` runs: refuse, never show it."""
    if not value.isprintable():
        raise ValidationError(
            f"The value for {name} holds a line break or control character, which no shell line "
            "can carry safely; nothing was printed. Check the role's config, or STS's answer."
        )
