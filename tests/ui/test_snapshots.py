"""SVG snapshots of the main states at a fixed size with a frozen clock.

Update after an intended UI change with `pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the SVGs before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from roleswitch.core.errors import AssumeError
from tests.ui.helpers import SECRET, TOKEN, make_app, settle, write_sandbox

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def assumed(query: str, *, advance: float = 0, code: str | None = None):
    async def run_before(pilot):
        app = pilot.app
        await pilot.press(*query, "enter")
        if code:
            await pilot.pause()
            await pilot.press(*code, "enter")
        await settle(app, pilot)
        app.services.clock.advance(advance)
        app.tick()
        app.clear_notifications()
        await pilot.pause()

    return run_before


def test_list(home, snap_compare):
    write_sandbox(home)
    assert snap_compare(make_app(home)[0], terminal_size=(100, 30))


def test_list_80x24(home, snap_compare):
    write_sandbox(home)
    assert snap_compare(make_app(home)[0], terminal_size=(80, 24))


def test_filtered(home, snap_compare):
    write_sandbox(home)
    assert snap_compare(make_app(home)[0], terminal_size=(100, 30), press=[*"stg"])


def test_mfa_modal(home, snap_compare):
    write_sandbox(home)
    assert snap_compare(make_app(home)[0], terminal_size=(100, 30), press=[*"glass", "enter"])


@pytest.mark.parametrize(
    ("band", "advance"), [("calm", 754), ("warning", 3100), ("alarm", 3555), ("expired", 3725)]
)
def test_active_session(home, snap_compare, band, advance):
    write_sandbox(home)
    app = make_app(home)[0]
    assert snap_compare(app, terminal_size=(120, 30), run_before=assumed("prod admin", advance=advance))


def test_active_session_80x24(home, snap_compare):
    write_sandbox(home)
    app = make_app(home)[0]
    assert snap_compare(app, terminal_size=(80, 24), run_before=assumed("stg deploy", advance=61))


def test_error(home, snap_compare):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    sts.fail_with = AssumeError(
        "Access denied assuming arn:aws:iam::111111111111:role/Admin: source profile 'corp' is not "
        "allowed to (no sts:AssumeRole permission, or the role's trust policy or external id does "
        "not match); check the role's trust policy."
    )

    async def run_before(pilot):
        await pilot.press(*"prod admin", "enter")
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_sso_sign_in_80x24(home, snap_compare):
    """The sign-in dialog at the smallest usual size: the code whole, every key on one line."""
    from datetime import timedelta

    from tests.ui.sso_helpers import make_sso_app
    from tests.ui.test_sso_login import code_shown, started

    write_sandbox(home)
    app, _, _, sso = make_sso_app(home, sessions={"corp": timedelta(minutes=-5)})
    sso.approve_device = lambda code: None

    async def run_before(pilot):
        await started(pilot.app, pilot, sso)
        await pilot.press("ctrl+n")
        await code_shown(pilot.app, pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_sso_role_active_with_its_sign_in(home, snap_compare):
    """A discovered role assumed: the role's countdown and the SSO sign-in's own time left."""
    from datetime import timedelta

    from tests.ui.sso_helpers import FIRST_FOUND, make_sso_app

    write_sandbox(home)
    app, _, clock, sso = make_sso_app(home, sessions={"corp": timedelta(hours=6)}, listed=FIRST_FOUND)
    sso.set_status("corp", discovered_at=clock.now())
    assert snap_compare(app, terminal_size=(120, 40), run_before=assumed("development admin", advance=61))


def test_no_snapshot_contains_a_secret():
    """Runs after the snapshots above (file order); scans every stored SVG."""
    svgs = list(SNAPSHOTS.rglob("*.svg"))
    assert svgs, "no snapshots stored yet"
    for svg in svgs:
        text = svg.read_text()
        assert SECRET not in text and TOKEN not in text, svg
        assert "SECRET-NEVER" not in text and "TOKEN-NEVER" not in text, svg
