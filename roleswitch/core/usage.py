"""Pinned targets and the targets a person uses most, kept in roleswitch's state folder.

The list shows pinned targets first, then the most *frecent* ones: each of a
target's last `USES_KEPT` uses counts, the more the more recent it is (as a
browser's address bar or zoxide rank what you visit), so a role used every day
this week comes before one used a lot last year, and one used an hour ago before
one used once yesterday.

The file is `usage.json` in the state folder (`paths.state_location()`), small
by design: at most `MAX_NAMES` used names (the longest unused go first) and
`MAX_PINS` pins. It is what roleswitch learned from use, never a setting: the
person's own config file is not touched.

Read like the cache: only from a folder that is the person's (private_folder's
rules), only a regular file of theirs that no one else may write, never through
a symlink, never blocking on a FIFO. Anything else (a damaged file, another
user's, one from a newer roleswitch) is ignored with one sentence in
`Usage.problem`: never a crash, and never rewritten by merely reading it. A pin
or a use replaces it whole, except a newer roleswitch's file, which is left for
that version (a pin then refuses; a use is not recorded).

Every change is a read-modify-write under the file's lock with an atomic
replace, so two programs pinning at once both keep their pin. Loading never
writes, so starting the app changes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.guarded_file import atomic_write, locked_beside
from roleswitch.core.private_folder import cache_folder_problem, effective_uid
from roleswitch.core.regular_file import NotRegularFile, read_regular_file

FILE_NAME = "usage.json"
FORMAT = 1
MAX_NAMES = 250  # used names kept; past it, those unused the longest are dropped
MAX_PINS = 500
USES_KEPT = 10  # the uses of a name that count towards its frecency
MAX_FILE_BYTES = 1 << 20  # a usage file this large was not written by roleswitch

_HOUR, _DAY = 3600, 86400
# What one use is worth by its age: (at most this many seconds old, weight); older, OLD_WEIGHT.
AGE_WEIGHTS = ((_HOUR, 100), (_DAY, 80), (7 * _DAY, 60), (30 * _DAY, 40), (90 * _DAY, 20))
OLD_WEIGHT = 10


class UsageError(RoleswitchError):
    """A pin could not be saved; the usage file is as it was."""

    code = "usage"


@dataclass(frozen=True)
class Usage:
    """What the list needs to know: the pins, and every used name best first.

    `ranked` holds every used name by frecency, best first (pinned ones too: a query's
    ties are broken by it after the pins). `problem` is the one sentence saying why the
    file was ignored, or None.
    """

    pinned: tuple[str, ...] = ()
    ranked: tuple[str, ...] = ()
    problem: str | None = None
    _pinned_set: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pinned_set", frozenset(self.pinned))

    def is_pinned(self, name: str) -> bool:
        return name in self._pinned_set

    def recent(self, limit: int | None = 5) -> tuple[str, ...]:
        """The most frecent names that are not pinned, best first; all of them when
        `limit` is None."""
        found: list[str] = []
        for name in self.ranked:
            if limit is not None and len(found) >= limit:
                break
            if name not in self._pinned_set:
                found.append(name)
        return tuple(found)


@dataclass
class _Document:
    """The file's content: pins in pin order, and each used name's last use times."""

    pinned: list[str] = field(default_factory=list)
    used: dict[str, list[int]] = field(default_factory=dict)  # name -> epoch seconds, oldest first

    def to_bytes(self) -> bytes:
        document = {"format": FORMAT, "pinned": self.pinned, "used": self.used}
        return (json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")

    def trim(self) -> None:
        if len(self.used) > MAX_NAMES:
            by_last_use = sorted(self.used, key=lambda name: self.used[name][-1], reverse=True)
            kept = set(by_last_use[:MAX_NAMES])
            self.used = {name: uses for name, uses in self.used.items() if name in kept}

    def usage(self, now: float, problem: str | None = None) -> Usage:
        return Usage(tuple(self.pinned), rank(self.used, now), problem)


def frecency(uses: list[int], now: float) -> int:
    """The worth of a name's uses at `now`: each use weighed by its age."""
    score = 0
    for used in uses[-USES_KEPT:]:
        age = now - used
        for limit, weight in AGE_WEIGHTS:
            if age <= limit:
                score += weight
                break
        else:
            score += OLD_WEIGHT
    return score


def rank(used: dict[str, list[int]], now: float) -> tuple[str, ...]:
    """The used names, most frecent first; a tie goes to the latest use, then by name."""
    return tuple(sorted(used, key=lambda name: (-frecency(used[name], now), -used[name][-1], name)))


class UsageStore:
    """The usage file: `path`, or `usage.json` in the state folder."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = Path(path) if path is not None else None

    @property
    def path(self) -> Path:
        return self._path or paths.state_dir() / FILE_NAME

    def __repr__(self) -> str:
        return f"UsageStore({str(self.path)!r})"

    def load(self, *, now: datetime | None = None) -> Usage:
        """The pins and ranking (at `now`, else the current time). Never writes; a file
        that cannot be trusted or read is ignored, with `Usage.problem` saying why."""
        moment = now.timestamp() if now is not None else time.time()
        problem = self._folder_problem(create=False)
        if problem is not None:
            return Usage(problem=problem)
        document, problem, _newer = self._read()
        return (document or _Document()).usage(moment, problem)

    def toggle_pin(self, name: str) -> bool:
        """Pin `name`, or unpin it if it is pinned; True when it is pinned after.
        Raises UsageError (one sentence) when the file cannot be changed."""
        pinned_after = False

        def toggle(document: _Document) -> None:
            nonlocal pinned_after
            if name in document.pinned:
                document.pinned.remove(name)
                return
            if len(document.pinned) >= MAX_PINS:
                raise UsageError(f"{MAX_PINS} targets are pinned, the most roleswitch keeps; unpin one.")
            document.pinned.append(name)
            pinned_after = True

        self._change(toggle)
        return pinned_after

    def record_use(self, name: str, now: datetime) -> None:
        """Count a use of `name` at `now`. Best effort: a use that cannot be recorded
        (an untrusted folder, a newer roleswitch's file, a full disk) is dropped quietly,
        since it must never fail the assume it follows."""

        def record(document: _Document) -> None:
            uses = document.used.pop(name, [])  # re-inserted last: the dict stays in use order
            uses.append(int(now.timestamp()))
            document.used[name] = uses[-USES_KEPT:]

        with contextlib.suppress(RoleswitchError, OSError):
            self._change(record)

    # --- reading and writing -----------------------------------------------------------

    def _change(self, change) -> None:
        """Read the file under its lock, apply `change`, replace the file whole."""
        problem = self._folder_problem(create=True)
        if problem is not None:
            raise UsageError(problem)
        path = self.path
        with locked_beside(path):
            document, problem, newer = self._read()
            if newer:
                raise UsageError(problem or "")
            document = document or _Document()  # a damaged or foreign file is replaced whole
            change(document)
            document.trim()
            try:
                atomic_write(path, document.to_bytes(), 0o600)
            except OSError as error:
                reason = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
                raise UsageError(f"Cannot write {path} ({reason}); it was left as it was.") from None

    def _folder_problem(self, *, create: bool) -> str | None:
        folder = self.path.parent
        try:
            return cache_folder_problem(
                folder, create=create, what="state folder", variable="ROLESWITCH_STATE_DIR"
            )
        except RoleswitchError as error:  # it could not be made
            return str(error)
        except OSError as error:
            return f"roleswitch's state folder {folder} cannot be used ({error.strerror})."

    def _read(self) -> tuple[_Document | None, str | None, bool]:
        """(the document or None, why it was ignored, whether a newer roleswitch wrote it)."""
        path = self.path
        ignored = "so no pins or recent targets are shown; the next pin or use replaces it"
        try:
            info = os.lstat(path)
            if info.st_size > MAX_FILE_BYTES:
                return None, f"{path} is too large to be roleswitch's usage file, {ignored}.", False
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o022:
                return None, f"{path} can be written by other users, {ignored}.", False
            data = read_regular_file(path, follow_symlinks=False, owner=effective_uid())
        except FileNotFoundError:
            return None, None, False
        except NotRegularFile as error:
            return None, f"{path} is {error.kind}, not a regular file, {ignored}.", False
        except OSError as error:
            return None, f"{path} cannot be read ({error.strerror}), {ignored}.", False
        try:
            raw = json.loads(data)
        except ValueError:
            return None, f"{path} is damaged (not JSON), {ignored}.", False
        if isinstance(raw, dict) and isinstance(raw.get("format"), int) and raw["format"] > FORMAT:
            return (
                None,
                f"{path} was written by a newer roleswitch, so its pins and recent targets are "
                "neither shown nor changed; upgrade roleswitch to use them.",
                True,
            )
        document = _parse(raw)
        if document is None:
            return None, f"{path} is not a roleswitch usage file, {ignored}.", False
        return document, None, False


def _parse(raw: object) -> _Document | None:
    """The document, or None when `raw` is not one this version wrote."""
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        return None
    pinned, used = raw.get("pinned", []), raw.get("used", {})
    if not isinstance(pinned, list) or not all(isinstance(name, str) for name in pinned):
        return None
    if not isinstance(used, dict):
        return None
    for uses in used.values():
        if not isinstance(uses, list) or not uses or not all(type(t) is int for t in uses):
            return None
    return _Document(list(dict.fromkeys(pinned)), {name: sorted(uses) for name, uses in used.items()})
