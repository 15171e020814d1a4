"""Open a URL in a browser: the system's default, or the command the `browser` setting gives.

The setting is a command template, split like a shell would (`shlex`) but never run
by one: `{url}`, `{container}` and `{colour}` are replaced inside each argument, so
no value can add an argument or a shell command. An argument that is exactly a
placeholder gets the value as it is; inside a longer argument (an
`ext+container:name={container}&url={url}` URL for Firefox containers) the value is
percent-encoded, as such URLs need.

The browser's output goes nowhere: in the app it would scribble over the screen.
The URL is a credential, so no message here ever quotes it. It does pass on the
browser's command line, as with every tool that opens a console URL.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import urllib.parse
import zlib
from collections.abc import Mapping

from roleswitch.core.errors import RoleswitchError, ValidationError

PLACEHOLDERS = ("url", "container", "colour")
_PLACEHOLDER_RE = re.compile(r"\{(url|container|colour)\}")
_ANY_BRACES_RE = re.compile(r"\{[^{}]*\}")
# Firefox's container colours, so `{colour}` fits `ext+container:...&color={colour}` as is.
COLOURS = ("blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple")


class BrowserError(RoleswitchError):
    """No browser could be started; the message is one sentence without the URL."""


def colour_for(key: str) -> str:
    """The same colour for the same account, every time and on every machine."""
    return COLOURS[zlib.crc32(key.encode("utf-8")) % len(COLOURS)]


def check_template(value: object) -> str:
    """A `browser` setting: a command that splits into words, names `{url}` and no other `{...}`."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError('must be a command like "firefox {url}".')
    if not value.isprintable():
        raise ValidationError("has a line break or control character.")
    try:
        words = shlex.split(value)
    except ValueError as error:
        raise ValidationError(f"cannot be split into words ({error}).") from None
    unknown = sorted(
        {m for w in words for m in _ANY_BRACES_RE.findall(w)} - {f"{{{p}}}" for p in PLACEHOLDERS}
    )
    if unknown:
        raise ValidationError(
            f"has {', '.join(unknown)}; only {{url}}, {{container}} and {{colour}} are replaced."
        )
    if not any("{url}" in word for word in words):
        raise ValidationError("must contain {url}, where the console URL goes.")
    return value


def command_line(template: str, url: str, container: str, colour: str) -> list[str]:
    """The argv the template makes for these values (see the module's docstring)."""
    values = {"url": url, "container": container, "colour": colour}
    argv = []
    for word in shlex.split(check_template(template)):
        if _PLACEHOLDER_RE.fullmatch(word):
            argv.append(values[word[1:-1]])
        else:
            argv.append(_PLACEHOLDER_RE.sub(lambda m: urllib.parse.quote(values[m[1]], safe=""), word))
    return argv


def system_opener(environ: Mapping[str, str] | None = None, platform: str | None = None) -> list[str] | None:
    """The command that hands a URL to the desktop's default browser, or None when there
    is no desktop to hand it to (a console browser would take over the terminal)."""
    environ = os.environ if environ is None else environ
    platform = platform or sys.platform
    if platform == "darwin":
        candidates = [["open"]]
    elif platform.startswith("win"):
        return None
    else:
        candidates = []
        if environ.get("WSL_DISTRO_NAME"):
            candidates.append(["wslview"])
        if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
            candidates += [["xdg-open"], ["gio", "open"]]
    for command in candidates:
        path = shutil.which(command[0])
        if path:
            return [path, *command[1:]]
    return None


def open_url(url: str, *, template: str | None, container: str, colour: str) -> str:
    """Open `url`; return the name of what opened it. `BrowserError` when nothing could."""
    if template:
        argv = command_line(template, url, container, colour)
    else:
        opener = system_opener()
        if opener is None:
            return _open_with_webbrowser(url)
        argv = [*opener, url]
    name = os.path.basename(argv[0])
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in this terminal does not close the browser
            close_fds=True,
        )
    except FileNotFoundError:
        raise BrowserError(f"The browser command {name} was not found; fix the browser setting.") from None
    except OSError as error:
        raise BrowserError(f"The browser command {name} could not be run ({error.strerror}).") from None
    threading.Thread(target=process.wait, name="roleswitch-browser-reaper", daemon=True).start()
    return name


def _open_with_webbrowser(url: str) -> str:
    """Windows (and anything without a desktop opener): Python's own choice, if it has
    a graphical one. A text browser would take over the terminal, so none is used."""
    if not sys.platform.startswith("win") and not sys.platform == "darwin":
        raise BrowserError(
            "No graphical browser was found here (no desktop session); get the URL with roleswitch "
            "console --print (or the app's palette: console URL: copy) and open it yourself, or set "
            "the browser command in roleswitch's config."
        )
    import webbrowser

    try:
        opened = webbrowser.open(url, new=2)
    except webbrowser.Error:
        opened = False
    if not opened:
        raise BrowserError(
            "The system's browser could not be started; use --print, or set the browser command in "
            "roleswitch's config."
        )
    return "the system browser"
