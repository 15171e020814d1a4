"""Targets that ask before they are assumed (an environment with `confirm = true`), and
how the command line asks: a y/N question on a terminal, else `--yes`.

The rule (`needs_confirmation`) is the catalogue's; this module holds the words, so
the app's modal, the prompt and every refusal say the same thing.
"""

from __future__ import annotations

from typing import TextIO

from roleswitch.core.errors import RoleswitchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.model import Catalogue, Target

YES_ANSWERS = ("y", "yes")


class NotConfirmed(RoleswitchError):
    """A confirm-gated target was not confirmed: no terminal and no `--yes`, or the
    person answered no. Nothing was assumed or written."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code  # "needs-yes" (nobody could be asked) or "declined"


def environment_label(catalogue: Catalogue, target: Target) -> str:
    """The target's environment's name, for the question ("production")."""
    environment = catalogue.environment_of(target)
    return environment.name if environment is not None else "confirm"


def question(catalogue: Catalogue, target: Target, verb: str = "Assume") -> str:
    """`Assume prod/Admin (production)? [y/N] `"""
    return f"{verb} {target.name} ({environment_label(catalogue, target)})? [y/N] "


def needs_yes_sentence(target_name: str, environment: str, command: str = "") -> str:
    """The refusal when nobody can be asked: one sentence, naming --yes."""
    how = f"`{command} --yes`" if command else "--yes"
    return (
        f"{target_name} is in {environment}, which asks before every assume, and there is no "
        f"terminal to ask on; confirm with {how}."
    )


def confirm(
    catalogue: Catalogue,
    target: Target,
    *,
    yes: bool,
    stdin: TextIO,
    stderr: TextIO,
    command: str = "",
    verb: str = "Assume",
    did: str = "nothing was assumed",
) -> None:
    """Return when `target` may be assumed: it needs no confirmation, `yes` was given, or
    the person answered y on the terminal (stdin and stderr both a terminal). Otherwise
    `NotConfirmed` with one sentence; an empty answer or end of input is a no."""
    if yes or not catalogue.needs_confirmation(target):
        return
    environment = environment_label(catalogue, target)
    if not (_isatty(stdin) and _isatty(stderr)):
        raise NotConfirmed(needs_yes_sentence(target.name, environment, command), code="needs-yes")
    stderr.write(question(catalogue, target, verb))
    stderr.flush()
    answer = stdin.readline()
    if not answer:
        stderr.write("\n")
    if answer.strip().lower() not in YES_ANSWERS:
        raise NotConfirmed(f"Not confirmed: {target.name} is in {environment}, and {did}.", code="declined")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a file
        return False
