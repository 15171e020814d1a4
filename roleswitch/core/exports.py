"""`export` lines for a shell, shared by `roleswitch env` and the app's copy key."""

from __future__ import annotations

import shlex

from roleswitch.core.credentials_file import format_expiration
from roleswitch.core.model import Credentials

SHELLS = ("sh", "fish", "powershell")


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
    if shell == "fish":
        return [f"set -gx {k} {shlex.quote(v)};" for k, v in values.items()]
    if shell == "powershell":
        return [f"$Env:{k} = '{v.replace(chr(39), chr(39) * 2)}'" for k, v in values.items()]
    return [f"export {k}={shlex.quote(v)}" for k, v in values.items()]
