"""Messages that STS workers post back to the app (workers never touch widgets)."""

from __future__ import annotations

from textual.message import Message

from roleswitch.core.model import AssumeResult, Target


class AssumeSucceeded(Message):
    """A role was assumed and written to `profile`."""

    def __init__(self, result: AssumeResult, profile: str, renewal: bool) -> None:
        super().__init__()
        self.result = result
        self.profile = profile
        self.renewal = renewal


class AssumeFailed(Message):
    """Assuming `target` failed; `message` is the core's one sentence."""

    def __init__(self, target: Target, message: str, code: str, automatic: bool) -> None:
        super().__init__()
        self.target = target
        self.message = message
        self.code = code
        self.automatic = automatic
