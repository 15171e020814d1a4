"""Time, injected: the countdown is always recomputed from an expiry and `clock.now()`.

Nothing here decrements a counter, so a laptop waking from sleep, a clock that
jumps, or a frozen clock in a test all show the truth on the next tick.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta

# Plain classes, not dataclasses or typing.Protocol: `roleswitch status` runs in shell
# prompts and imports this module, so it stays free of slow-to-import machinery.

ALARM_SECONDS = 120


class Clock:
    """What the app and the caches ask for the time: anything with `now()`."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        raise NotImplementedError


class SystemClock(Clock):
    """The real wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that moves only when told to: for tests, screenshots and the demo."""

    __slots__ = ("moment",)

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __repr__(self) -> str:
        return f"FrozenClock({self.moment.isoformat()!r})"

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        self.moment = moment


class Urgency(enum.Enum):
    CALM = "calm"
    WARNING = "warning"
    ALARM = "alarm"
    EXPIRED = "expired"


def seconds_left(expiration: datetime, now: datetime) -> int:
    """Whole seconds until `expiration`, rounded down; negative once it has passed."""
    delta = (expiration - now).total_seconds()
    return int(delta // 1)


def urgency(left: int, renew_margin: int) -> Urgency:
    if left <= 0:
        return Urgency.EXPIRED
    if left <= ALARM_SECONDS:
        return Urgency.ALARM
    if left <= renew_margin:
        return Urgency.WARNING
    return Urgency.CALM


def format_left(left: int) -> str:
    """`1h 02m 03s`, `59m 59s`, `7s`; `expired 3m ago` once past."""
    if left <= 0:
        return f"expired {format_ago(-left)} ago"
    return format_span(left)


def format_left_coarse(left: int) -> str:
    """Like `format_left`, in whole minutes until the last two: for list rows, which then
    repaint once a minute instead of every second (the top bar keeps the seconds)."""
    if left <= ALARM_SECONDS:
        return format_left(left)
    hours, minutes = divmod(left // 60, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def format_ago(seconds: int) -> str:
    """Coarse elapsed time: `12s`, `3m`, `2h 05m`."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h {rest // 60:02d}m"


def format_span(seconds: int) -> str:
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_local(moment: datetime) -> str:
    """Local wall-clock time with its zone, for people."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def format_expiration(moment: datetime) -> str:
    """RFC 3339 in UTC, `2026-11-22T13:56:56Z`, as Starship and the SDKs read it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_expiration(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
