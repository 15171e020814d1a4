"""SVG snapshots of issue 15's screens: the Sessions screen with three live sessions (one
of them production), a production confirmation, and the top bar of a production session.

Update after an intended UI change with
`pytest tests/ui/test_snapshots_sessions.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from tests.ui.helpers import settle
from tests.ui.test_sessions_app import make, others_read, put_session


def three_live_sessions(home):
    app, _, clock = make(home)
    put_session(clock, "default", "prod/Admin", 50 * 60, "DEFAULT1")
    put_session(clock, "dev", "staging/Deploy", 40 * 60 + 12, "DEV1")
    put_session(clock, "ops", "legacy-admin", 5 * 60 + 3, "OPS1")
    return app


async def sessions_screen(pilot):
    await others_read(pilot.app, pilot)
    await pilot.press("ctrl+t")
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


def test_sessions_screen_three_live_sessions_80x24(home, snap_compare):
    assert snap_compare(three_live_sessions(home), terminal_size=(80, 24), run_before=sessions_screen)


def test_sessions_screen_three_live_sessions_120x40(home, snap_compare):
    assert snap_compare(three_live_sessions(home), terminal_size=(120, 40), run_before=sessions_screen)


def test_main_screen_with_the_strip_of_other_sessions_80x24(home, snap_compare):
    async def run_before(pilot):
        await others_read(pilot.app, pilot)  # the other sessions are read once the app has settled

    assert snap_compare(three_live_sessions(home), terminal_size=(80, 24), run_before=run_before)


def test_production_confirm(home, snap_compare):
    app, _, _ = make(home)

    async def run_before(pilot):
        await pilot.press("enter")  # prod/Admin, highlighted first
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_top_bar_of_a_production_session(home, snap_compare):
    app, _, _ = make(home)

    async def run_before(pilot):
        await pilot.press("enter", "y")
        await settle(pilot.app, pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)
