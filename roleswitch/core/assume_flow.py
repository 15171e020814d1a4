"""Assuming a role that may need MFA: one policy for the command line and the app.

Use the cached MFA session when there is one; else ask for a code. When STS
refuses a cached session (it expired or was revoked), the STS client forgets
it and the code is asked for once, with the reason. How a code is asked for is
the caller's: a terminal prompt, or the app's MFA screen from a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable

from roleswitch.core.clock import Clock, SystemClock
from roleswitch.core.errors import AssumeError
from roleswitch.core.model import AssumeResult, Settings, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.mfa_sessions import MfaSessionStore
    from roleswitch.core.sts import StsClient

# Asked with the target and why a code is needed again (None the first time);
# returns the code, or None when the person gave none.
AskCode = Callable[[Target, "str | None"], "str | None"]

# STS answers that a new code cures.
_NEEDS_A_CODE = ("mfa-session-ended", "mfa-required")


def assume_with_mfa(
    target: Target,
    settings: Settings,
    sts: StsClient,
    store: MfaSessionStore,
    ask_code: AskCode,
    *,
    code: str | None = None,
    duration: int | None = None,
    clock: Clock | None = None,
) -> AssumeResult:
    """Assume `target`, asking for an MFA code only when no usable MFA session exists,
    and at most once more when STS refuses the session it was given."""
    asked = code is not None
    if target.needs_mfa and code is None and not store.usable(target, (clock or SystemClock()).now()):
        code, asked = _ask(ask_code, target, None), True
    try:
        return sts.assume(target, settings=settings, mfa_code=code, duration=duration)
    except AssumeError as error:
        if asked or error.code not in _NEEDS_A_CODE:
            raise
        reason = str(error) if error.code == "mfa-session-ended" else None
        code = _ask(ask_code, target, reason)
    return sts.assume(target, settings=settings, mfa_code=code, duration=duration)


def _ask(ask_code: AskCode, target: Target, reason: str | None) -> str:
    code = ask_code(target, reason)
    if code is None:
        raise AssumeError(
            f"{target.name} needs an MFA code from {target.mfa_serial}, and none was given; "
            "nothing was assumed.",
            code="mfa-required",
        )
    return code
