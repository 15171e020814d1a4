"""Messages that background jobs post back to the app (jobs never touch widgets)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.message import Message

from roleswitch.core.model import ActiveSession, AssumeResult, Target


class AssumeSucceeded(Message):
    """A role was assumed and written to `profile` (`automatic`: by auto-renew)."""

    def __init__(self, result: AssumeResult, profile: str, renewal: bool, automatic: bool = False) -> None:
        super().__init__()
        self.result = result
        self.profile = profile
        self.renewal = renewal
        self.automatic = automatic


class AssumeFailed(Message):
    """Assuming `target` into `profile` failed; `message` is the core's one sentence."""

    def __init__(
        self, target: Target, message: str, code: str, automatic: bool, profile: str | None = None
    ) -> None:
        super().__init__()
        self.target = target
        self.message = message
        self.code = code
        self.automatic = automatic
        self.profile = profile


class AssumeChecked(Message):
    """The checks before STS ran (off the UI thread): `problem` is why nothing can be
    written into `profile`, `needs_code` whether an MFA code must be asked for first."""

    def __init__(
        self,
        target: Target,
        renewal: bool,
        automatic: bool,
        renewing: ActiveSession | None,
        problem: str | None,
        needs_code: bool,
        profile: str = "",
    ) -> None:
        super().__init__()
        self.target = target
        self.renewal = renewal
        self.automatic = automatic
        self.renewing = renewing
        self.problem = problem
        self.needs_code = needs_code
        self.profile = profile


class RenewalSuperseded(Message):
    """A renewal was not written: the profile no longer holds the session it renews.
    `current` is what the profile holds now (None: nothing of roleswitch's)."""

    def __init__(self, target: Target, profile: str, current: ActiveSession | None, automatic: bool) -> None:
        super().__init__()
        self.target = target
        self.profile = profile
        self.current = current
        self.automatic = automatic


class JobDone(Message):
    """A background job (clear, save a setting, log out, write an SDK profile, copy)
    finished: `done(outcome, error)` runs on the UI thread; `error` is the core's one
    sentence when the job failed."""

    def __init__(self, done: Callable[[Any, str | None], None], outcome: Any, error: str | None) -> None:
        super().__init__()
        self.done = done
        self.outcome = outcome
        self.error = error

    def __rich_repr__(self):  # never the outcome: copied export lines hold the secret key
        yield "done", getattr(self.done, "__qualname__", "?")
        yield "error", self.error


class SsoCodeShown(Message):
    """The sign-in's device code: what the person opens and checks. Not secret (the access
    token never comes to the UI), but only shown in the sign-in dialog."""

    def __init__(self, user_code: str, uri: str, complete: str, expires_in: int) -> None:
        super().__init__()
        self.user_code = user_code
        self.uri = uri
        self.complete = complete
        self.expires_in = expires_in


class SsoSignInEnded(Message):
    """The sign-in finished: `expires_at` when it worked, else `message` (one sentence) and
    the SsoError's `code` ("denied", "expired", "cancelled", "no-connection"...)."""

    def __init__(self, expires_at: datetime | None, message: str = "", code: str = "") -> None:
        super().__init__()
        self.expires_at = expires_at
        self.message = message
        self.code = code


class SsoDiscoveryProgress(Message):
    """How far the background discovery of `session` is ("412 of 2,000 accounts")."""

    def __init__(self, session: str, text: str) -> None:
        super().__init__()
        self.session = session
        self.text = text
