"""Errors the user can act on.

Every expected failure becomes a `RoleswitchError` whose message is one plain
sentence saying what is wrong and what to do. The CLI prints it on one line and
the app shows it as a notification; neither shows a traceback.
"""

from __future__ import annotations


class RoleswitchError(Exception):
    """Base class: `str(error)` is the sentence shown to the user."""


class ConfigError(RoleswitchError):
    """A configuration file is unreadable, malformed or names something invalid."""


class ValidationError(RoleswitchError):
    """A value (ARN, duration, session name, MFA code...) is outside what STS accepts."""


class TargetNotFound(RoleswitchError):
    """The user named a target that is not in the catalogue."""


class AssumeError(RoleswitchError):
    """STS refused or could not be reached; the message says which and what to do."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class WriteRefused(RoleswitchError):
    """The credentials file section is not ours to write; the file is untouched."""


class CredentialsFileError(RoleswitchError):
    """The credentials file could not be read or written; the file is untouched."""


class SessionReplaced(RoleswitchError):
    """The section no longer holds the session a write was meant to replace (another
    program wrote or cleared it meanwhile); nothing was written."""
