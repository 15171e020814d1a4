"""Clock jumps and sessions that expired before the app started."""

from __future__ import annotations

from datetime import timedelta

from roleswitch.core.clock import FrozenClock
from roleswitch.core.errors import AssumeError
from tests.ui.helpers import T0, TOML, make_app, notes, settle, write_sandbox


async def first_session(home, clock):
    app = make_app(home, clock=clock)[0]
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
    return app.session.expiration


async def test_expired_before_start_shows_expired_on_the_first_frame(home):
    write_sandbox(home)
    clock = FrozenClock(T0)
    expiry = await first_session(home, clock)
    clock.set(expiry + timedelta(hours=5))  # the laptop slept all afternoon
    app, sts, _ = make_app(home, clock=clock)
    async with app.run_test(size=(100, 30)):
        assert "EXPIRED 5h 00m ago" in str(app.bar.render())
        assert sts.calls == []


async def test_expired_before_start_with_auto_renew_renews_once_and_never_loops(home):
    """60 ticks after start with a failing STS: exactly one renewal attempt."""
    write_sandbox(home, toml=TOML.replace('renew_margin = "10m"', 'renew_margin = "10m"\nauto_renew = true'))
    clock = FrozenClock(T0)
    expiry = await first_session(home, clock)
    clock.set(expiry + timedelta(hours=2))
    app, sts, _ = make_app(home, clock=clock)
    sts.fail_with = AssumeError("AWS STS is throttling requests; wait a few seconds and try again.")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(60):
            clock.advance(1)
            app.tick()
            await settle(app, pilot)
        assert len(sts.calls) == 1
        assert sum("throttling" in n for n in notes(app)) == 1


async def test_clock_jumps_forward_and_back_show_the_truth_at_the_next_tick(home):
    write_sandbox(home)
    app, _, clock = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        clock.advance(3 * 3600)  # forward hours
        app.tick()
        assert "EXPIRED 2h 00m ago" in str(app.bar.render())
        clock.advance(-3 * 3600 - 1800)  # back past the assume
        app.tick()
        assert "1h 30m 00s left" in str(app.bar.render())
