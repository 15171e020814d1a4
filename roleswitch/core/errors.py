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


class NameTaken(WriteRefused):
    """A name cannot take what roleswitch would write there; the file is untouched.

    `str()` ends with "choose another name." and names no way to do it: each front end
    says its own with `remedy` (the CLI's `--name NAME`; the app has no such flag)."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}; choose another name.")
        self.problem = problem

    def remedy(self, how: str) -> str:
        """The sentence with `how` to act in place of the bare "choose another name"."""
        return f"{self.problem}; {how}."
