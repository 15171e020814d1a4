"""Put text on the system clipboard with the platform's own command, when there is one.

Textual's `copy_to_clipboard` sends OSC 52 to the terminal, which cannot report
whether the terminal (or tmux, which drops it by default) accepted it, and a
terminal recording would keep the text. A clipboard command is used first; the
text goes to it on stdin, never on its command line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

TIMEOUT_SECONDS = 5


class ClipboardError(Exception):
    """The clipboard command failed; the message is one sentence."""


def clipboard_command() -> list[str] | None:
    """The command line of the first usable clipboard tool, or None."""
    candidates: list[list[str]] = []
    if os.environ.get("WAYLAND_DISPLAY"):
        candidates.append(["wl-copy"])
    if os.environ.get("DISPLAY"):
        candidates += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    if sys.platform == "darwin":
        candidates.append(["pbcopy"])
    candidates.append(["clip.exe"])  # Windows, and WSL
    for command in candidates:
        path = shutil.which(command[0])
        if path:
            return [path, *command[1:]]
    return None


def copy_with(command: list[str], text: str) -> None:
    """Give `text` to `command` on stdin; raise `ClipboardError` if it does not take it.

    Its output goes nowhere: xclip and wl-copy stay behind to serve the selection,
    and a captured pipe would wait for them.
    """
    name = os.path.basename(command[0])
    try:
        subprocess.run(
            command,
            input=text.encode("utf-8"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
            check=True,
        )
    except subprocess.TimeoutExpired:
        raise ClipboardError(f"{name} did not finish within {TIMEOUT_SECONDS}s.") from None
    except subprocess.CalledProcessError as error:
        raise ClipboardError(f"{name} failed (exit status {error.returncode}).") from None
    except OSError as error:
        raise ClipboardError(f"{name} could not be run ({error.strerror}).") from None
