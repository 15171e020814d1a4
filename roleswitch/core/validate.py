"""Checks for the values STS accepts, done locally so a bad value never costs a call.

The limits are botocore's STS model. Each check returns the cleaned value or
raises `ValidationError` with one sentence. Digits are ASCII only: `"³⁶⁰⁰"` passes
`str.isdigit()` but `int()` refuses it, and `"٣٦٠٠"` is not what anyone meant.
"""

from __future__ import annotations

import re

from roleswitch.core.errors import ValidationError

ROLE_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)"
    r":iam::(?P<account>\d{12}):role/(?P<path>(?:[\x21-\x7e]+/)*)(?P<name>[\w+=,.@-]{1,64})$",
    re.ASCII,
)
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$", re.ASCII)
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$", re.ASCII)
MFA_SERIAL_RE = re.compile(r"^[\w+=/:,.@-]{9,256}$", re.ASCII)
MFA_CODE_RE = re.compile(r"^\d{6}$", re.ASCII)
ACCOUNT_ID_RE = re.compile(r"^\d{12}$", re.ASCII)
_DURATION_RE = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*m)?\s*(?:(?P<s>\d+)\s*s)?\s*$", re.IGNORECASE | re.ASCII
)

MIN_DURATION = 900
MAX_DURATION = 43200
MIN_SESSION_TOKEN_DURATION = 900
MAX_SESSION_TOKEN_DURATION = 129600


def role_arn(value: str) -> str:
    """An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`, 20 to 2048 characters."""
    if not 20 <= len(value) <= 2048 or not ROLE_ARN_RE.match(value):
        raise ValidationError(
            f"'{value}' is not an IAM role ARN; expected arn:aws:iam::123456789012:role/NAME."
        )
    return value


def split_role_arn(value: str) -> tuple[str, str]:
    """Return (account id, role name) of a valid role ARN."""
    match = ROLE_ARN_RE.match(value)
    if match is None:
        raise ValidationError(f"'{value}' is not an IAM role ARN.")
    return match["account"], match["name"]


def account_id(value: str) -> str:
    if not ACCOUNT_ID_RE.match(value):
        raise ValidationError(f"account id '{value}' must be exactly 12 digits.")
    return value


def parse_seconds(value: object, *, what: str = "duration") -> int:
    """Seconds from an int, a digit string, or `1h`, `90m`, `1h30m`, `45s`."""
    if isinstance(value, bool):
        raise ValidationError(f"{what} must be a number of seconds or like 1h, 30m.")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit():
            return int(text)
        match = _DURATION_RE.match(text)
        if text and match and any(match.groupdict().values()):
            parts = {k: int(v) for k, v in match.groupdict().items() if v}
            return parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)
    raise ValidationError(f"{what} '{value}' is not understood; use seconds or like 1h, 90m, 1h30m.")


def duration(value: object) -> int:
    """An AssumeRole duration: 900 to 43200 seconds."""
    seconds = parse_seconds(value)
    if not MIN_DURATION <= seconds <= MAX_DURATION:
        raise ValidationError(
            f"duration {seconds}s is outside what STS allows (900s to 43200s, 15 minutes to 12 hours)."
        )
    return seconds


def session_token_duration(value: object) -> int:
    """A GetSessionToken (MFA session) duration: 900 to 129600 seconds."""
    seconds = parse_seconds(value, what="MFA session duration")
    if not MIN_SESSION_TOKEN_DURATION <= seconds <= MAX_SESSION_TOKEN_DURATION:
        raise ValidationError(
            f"MFA session duration {seconds}s is outside what STS allows "
            "(900s to 129600s, 15 minutes to 36 hours)."
        )
    return seconds


def session_name(value: str) -> str:
    if not SESSION_NAME_RE.match(value):
        raise ValidationError(
            f"session name '{value}' must be 2 to 64 characters of letters, digits and +=,.@_-."
        )
    return value


def external_id(value: str) -> str:
    if not EXTERNAL_ID_RE.match(value):
        raise ValidationError("external id must be 2 to 1224 characters of letters, digits and +=,.@:/_-.")
    return value


def mfa_serial(value: str) -> str:
    if not MFA_SERIAL_RE.match(value):
        raise ValidationError(
            f"MFA serial '{value}' must be an MFA device ARN or a hardware serial (9 to 256 characters)."
        )
    return value


def mfa_code(value: str) -> str:
    """Six digits; authenticator apps show them as `123 456` and people copy `123-456`,
    so spaces and dashes are dropped (the app's code box does the same as you type)."""
    code = "".join(value.split()).replace("-", "")
    if not MFA_CODE_RE.match(code):
        raise ValidationError("The MFA code must be exactly 6 digits.")
    return code


def clean_session_name(raw: str) -> str:
    """A valid RoleSessionName from a local user name.

    `DOMAIN\\user` keeps the user part, characters STS rejects become `-`,
    and the result is padded or cut to 2..64 characters.
    """
    name = raw.rsplit("\\", 1)[-1].strip()
    name = re.sub(r"[^\w+=,.@-]", "-", name, flags=re.ASCII)
    name = re.sub(r"-{2,}", "-", name).strip("-")
    if len(name) < 2:
        name = f"roleswitch-{name}" if name else "roleswitch"
    return name[:64]


# Colour names an environment may use, as their CSS values: a fixed list, so the TUI, the
# CLI and a browser all show the same colour (`colour()` always returns `#rrggbb`).
NAMED_COLOURS = {
    "red": "#ff0000",
    "orange": "#ffa500",
    "yellow": "#ffff00",
    "green": "#008000",
    "lime": "#00ff00",
    "teal": "#008080",
    "cyan": "#00ffff",
    "blue": "#0000ff",
    "purple": "#800080",
    "magenta": "#ff00ff",
    "pink": "#ffc0cb",
    "brown": "#a52a2a",
    "grey": "#808080",
    "gray": "#808080",
    "white": "#ffffff",
    "black": "#000000",
}
_HEX_COLOUR_RE = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$", re.ASCII)
_LABEL_LIMIT = 64


def colour(value: object) -> str:
    """`#rrggbb` (lowercase) from `#rrggbb`, `#rgb` or a name in `NAMED_COLOURS`."""
    text = value.strip().lower() if isinstance(value, str) else None
    if text in NAMED_COLOURS:
        return NAMED_COLOURS[text]
    if text is not None and _HEX_COLOUR_RE.match(text):
        return text if len(text) == 7 else "#" + "".join(c * 2 for c in text[1:])
    shown = repr(value)[:40] if isinstance(value, str) else "a non-string value"
    names = ", ".join(name for name in NAMED_COLOURS if name != "gray")
    raise ValidationError(f"colour {shown} is not #rrggbb, #rgb or one of {names}.")


def label(value: object, what: str) -> str:
    """An environment name or a tag: a string of 1 to 64 printable characters (trimmed)."""
    if not isinstance(value, str):
        raise ValidationError(f"{what} must be a string.")
    text = value.strip()
    if not text or len(text) > _LABEL_LIMIT or not text.isprintable():
        raise ValidationError(
            f"{what} {value[:40]!r} must be 1 to {_LABEL_LIMIT} characters, "
            "with no line break or control character."
        )
    return text


def tags(value: object) -> tuple[str, ...]:
    """An array of tags (see `label`), in their order, each once."""
    if not isinstance(value, list):
        raise ValidationError('tags must be an array of strings, like tags = ["team-a", "pci"].')
    return tuple(dict.fromkeys(label(item, "tag") for item in value))
