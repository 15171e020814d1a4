"""A modal dialog that answers once.

A terminal delivers fast keys in one read (Enter, Enter in tmux): both reach the dialog
before its first answer has taken it off the screen, and a second `dismiss` pops a
screen that is not this one (the app's own: ScreenStackError, and the app is gone).
`answer` dismisses only the first time, and only while the dialog is the screen on top.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal screen whose `answer` dismisses it at most once."""

    _answered = False

    @property
    def answered(self) -> bool:
        """The dialog has given its answer (it is going, or gone)."""
        return self._answered

    def answer(self, result: ResultType | None = None) -> None:
        """Dismiss with `result` unless the dialog has already answered or is not on top."""
        if self._answered or not self.is_active:
            return
        self._answered = True
        self.dismiss(result)
