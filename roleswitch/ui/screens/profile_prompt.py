"""Ask which credentials-file profile to assume a target into, checked as it is typed.

The name is checked in two steps: here, at once, what any name must be (not empty, a
plain section name); then by the caller's `check`, which knows the credentials file and
gives the CLI's refusals (never over keys roleswitch did not write, never a shadowed
profile) as one sentence, or None. That check reads a file, so it never runs on the UI
thread: an async check is awaited, a plain one runs in a thread, each a moment after
typing stops, and a newer name drops the older check's answer. Enter takes the name only
once its check has said yes (an Enter while it runs waits for it); Esc cancels.

When the target is one of the user's TOML targets, a "Remember for TARGET" box offers to
write `profile = "NAME"` there; the dialog only returns the choice. Texts are shown as
written (never read as markup) and wrap.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, Input, Label

from roleswitch.core.errors import RoleswitchError
from roleswitch.core.ini import section_name_problem
from roleswitch.ui.screens.dialog import Dialog

ProfileCheck = Callable[[str], Awaitable[str | None]] | Callable[[str], str | None]

HINT = "Enter assumes · Esc cancels"
REMEMBER_HINT = "Enter assumes · Tab, Space: remember · Esc cancels"
EMPTY = "Type the name of the profile to write."


class WrappingCheckbox(Checkbox):
    """A checkbox whose label wraps (a long target name) instead of being cut off.

    Space ticks it; Enter assumes, as from the name (a checkbox's Enter would tick it back:
    "Tab, Space, Enter" remembered nothing and assumed nothing)."""

    BINDINGS = [
        Binding("space", "toggle_button", "Toggle", show=False),
        Binding("enter", "screen.assume", "Assume", show=False),
    ]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self.render().wrap(width)))


class NameInput(Input):
    """The name box. Tab leaves it at once, and keys that reach it after it has lost the
    focus go on to the field that has it, as if typed one by one.

    A terminal delivers "Tab, Space, Enter" typed fast in one read: every key reaches the
    box before Tab (passed up to the app's binding) has moved the focus, so the space went
    into the name (`prod `, refused) instead of ticking "Remember"."""

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused is self  # now (has_focus waits for the Blur event, queued)
        if event.key == "tab" or not focused:
            event.stop()
            event.prevent_default()  # neither Input's nor Widget's own key handling
            if event.key == "tab" and focused:
                self.screen.focus_next()
            else:  # the focused field gets it, in the order the keys came
                self.app.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a profile whatever the file holds, in one sentence, or None."""
    if not name:
        return EMPTY
    problem = section_name_problem(name)
    return f"The profile name {problem}; choose another." if problem else None


class ProfilePrompt(Dialog[tuple[str, bool] | None]):
    """Returns `(profile, remember)`, or None when the person presses Escape."""

    DEFAULT_CSS = """
    ProfilePrompt { align: center middle; }
    #profile-name { margin-top: 1; }
    #profile-verdict { margin-bottom: 1; }
    /* A long target name wraps instead of being cut off. */
    #profile-remember { margin-bottom: 1; width: 100%; height: auto; text-wrap: wrap; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="profile-cancel")]
    CHECK_DELAY = 0.12  # seconds of no typing before the file check starts

    def __init__(self, target_name: str, default: str, check: ProfileCheck, can_remember: bool) -> None:
        super().__init__()
        self.target_name = target_name
        self.default = default
        self.check = check
        self.can_remember = can_remember
        self.checked: tuple[str, str | None] | None = None  # the last name checked, and its answer
        self._submit_when_checked: str | None = None  # Enter was pressed while this name was checked

    def compose(self) -> ComposeResult:
        with Vertical(id="profile-dialog", classes="dialog"):
            yield Label(
                f"Assume {self.target_name} into which profile?", classes="dialog-title", markup=False
            )
            yield NameInput(self.default, placeholder="profile name", id="profile-name", compact=True)
            yield Label("", id="profile-verdict", markup=False)
            if self.can_remember:
                yield WrappingCheckbox(
                    Content(f"Remember for {self.target_name}"), id="profile-remember", compact=True
                )
            yield Label(REMEMBER_HINT if self.can_remember else HINT, classes="dim", markup=False)

    def on_mount(self) -> None:
        self.query_one("#profile-name", Input).focus()
        self._consider(self.default)

    @property
    def name_input(self) -> Input:
        return self.query_one("#profile-name", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._submit_when_checked = None
        self._consider(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_assume()

    def action_assume(self) -> None:
        """Enter, in the name or on the remember box: assume into the name once it is checked."""
        name = self.name_input.value
        problem = name_problem(name)
        if problem:
            self._show(problem, error=True)
            return
        if self.checked is not None and self.checked[0] == name:
            if self.checked[1] is None:
                self._accept(name)
            else:
                self._show(self.checked[1], error=True)
            return
        self._submit_when_checked = name  # its check is on its way: Enter waits for it
        self._show(f"Checking [{name}]…")

    def action_cancel(self) -> None:
        if self.answered:
            return
        self.workers.cancel_group(self, "profile-check")
        self.answer(None)

    def _consider(self, name: str) -> None:
        problem = name_problem(name)
        if problem:
            self.workers.cancel_group(self, "profile-check")
            self._show(problem, error=bool(name))
            return
        self._show(f"Checking [{name}]…")
        self._run_check(name)

    @work(exclusive=True, group="profile-check", exit_on_error=False)
    async def _run_check(self, name: str) -> None:
        await asyncio.sleep(self.CHECK_DELAY)  # the next keystroke cancels this worker first
        try:
            if inspect.iscoroutinefunction(self.check):
                verdict = await self.check(name)
            else:
                answer = await asyncio.to_thread(self.check, name)
                verdict = await answer if inspect.isawaitable(answer) else answer
        except RoleswitchError as error:
            verdict = str(error)
        except OSError as error:
            verdict = f"The credentials file could not be read ({error.strerror or error}); try again."
        except Exception as error:  # a bug in the check must not leave the dialog waiting forever
            verdict = f"[{name}] could not be checked ({type(error).__name__}); press Esc and try again."
        if not self.is_attached or self.name_input.value != name:
            return  # the person typed on: this answer is about a name no longer there
        self.checked = (name, verdict)
        if verdict is not None:
            self._submit_when_checked = None
            self._show(verdict, error=True)
        elif self._submit_when_checked == name:
            self._accept(name)
        else:
            self._show(f"Enter assumes into [{name}].")

    def _accept(self, name: str) -> None:
        if self.answered:
            return
        remember = self.can_remember and self.query_one("#profile-remember", Checkbox).value
        self.answer((name, remember))

    def _show(self, text: str, *, error: bool = False) -> None:
        verdict = self.query_one("#profile-verdict", Label)
        verdict.update(Content(text))
        verdict.set_class(error, "error")
        verdict.set_class(not error, "dim")
