"""The one error the SSO modules raise: a sentence, and a code a front end can act on."""

from __future__ import annotations

from roleswitch.core.errors import RoleswitchError

# Codes: "login-needed" (no token, or it expired or was revoked: sign in again),
# "denied", "expired" (the device code), "cancelled", "no-connection", "throttled",
# "bad-answer", "config", "error".


class SsoError(RoleswitchError):
    """An IAM Identity Center step failed; `str(error)` says what to do, and never holds a token."""

    def __init__(self, message: str, *, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


def login_needed(session_name: str, why: str) -> SsoError:
    """The sentence every "sign in again" case ends with, naming the command that does it."""
    return SsoError(
        f"The SSO session {session_name} {why}; run `roleswitch login {session_name}` and try again.",
        code="login-needed",
    )
