"""The refresher's timing, on a frozen clock: when it renews, and what it hands out meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.clock import FrozenClock
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import Credentials
from roleswitch.serve import refresher as refresher_module
from roleswitch.serve.refresher import Refresher, default_margin

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Sts:
    """Hands out numbered credentials lasting `lasting` from the clock's now, or fails."""

    def __init__(self, clock: FrozenClock, lasting: timedelta = timedelta(hours=1)) -> None:
        self.clock, self.lasting = clock, lasting
        self.calls = 0
        self.fail_with: str | None = None

    def __call__(self) -> Credentials:
        self.calls += 1
        if self.fail_with:
            raise RoleswitchError(self.fail_with)
        return Credentials(f"ASIAKEY{self.calls:013d}", "s", "t", self.clock.now() + self.lasting)


def test_the_default_margin_is_ahead_of_botocores_window_or_a_third_of_short_sessions():
    assert default_margin(3600) == 16 * 60  # botocore asks at 15 minutes: fresh ones are there
    assert default_margin(900) == 300


def test_renewed_only_inside_the_margin_and_once():
    clock = FrozenClock(T0)
    sts = Sts(clock)
    refresher = Refresher(sts, clock=clock)
    first = refresher.prime()
    clock.advance(3600 - 16 * 60 - 1)
    assert refresher.get() is first and sts.calls == 1
    clock.advance(2)  # inside the 16-minute margin
    second = refresher.get()
    assert second is not first and sts.calls == 2
    assert refresher.get() is second and sts.calls == 2


def test_a_failed_renewal_keeps_the_valid_set_logs_once_and_waits_before_trying_again(monkeypatch):
    clock = FrozenClock(T0)
    sts = Sts(clock)
    logged: list[str] = []
    refresher = Refresher(sts, clock=clock, log=logged.append)
    first = refresher.prime()
    clock.advance(3600 - 10 * 60)
    sts.fail_with = "STS is throttling requests; wait a few seconds and try again."
    for _ in range(20):
        assert refresher.get() is first  # still valid for 10 minutes: better than an error
    assert sts.calls == 2  # one try, then none for RETRY_SECONDS
    assert logged == ["STS is throttling requests; wait a few seconds and try again."]
    clock.advance(10 * 60 - 10)  # 10 s left: not handed out any more
    with pytest.raises(RoleswitchError, match="throttling"):
        refresher.get()
    monkeypatch.setattr(refresher_module, "RETRY_SECONDS", 0.0)
    sts.fail_with = None
    assert refresher.get().access_key_id == "ASIAKEY0000000000003"
    assert logged[-1] == "renewed the credentials again; the server answers normally."


def test_a_margin_longer_than_the_session_still_uses_each_set_for_a_while():
    """`--renew-before` above the lifetime must not turn every request into an STS call."""
    clock = FrozenClock(T0)
    sts = Sts(clock, timedelta(seconds=900))
    refresher = Refresher(sts, clock=clock, renew_before=3600)
    refresher.prime()
    for _ in range(50):
        refresher.get()
    assert sts.calls == 1
    clock.advance(refresher_module.SHORTEST_USE + 0.5)
    refresher.get()
    assert sts.calls == 2


def test_the_repr_holds_no_secret():
    clock = FrozenClock(T0)
    refresher = Refresher(Sts(clock), clock=clock)
    refresher.prime()
    assert "'s'" not in repr(refresher).replace("secret_access_key='***'", "")
    assert "***" in repr(refresher)
