"""The SSO session's own time left, what happens when it ends, and discovery in the background.

A scripted Identity Center service (tests/ui/sso_helpers.py) stands in; the clock is
frozen and moved by the test, so every time left is recomputed from it, never counted.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from roleswitch.core.sso.errors import login_needed
from tests.ui.helpers import notes, settle, write_sandbox
from tests.ui.screen_reading import widget_lines
from tests.ui.sso_helpers import FIRST_FOUND, LATER_FOUND, make_sso_app
from tests.ui.test_sso_login import started, wait_until

SIZE = (120, 40)
DEV_ADMIN = "corp/Development/AdministratorAccess"


def top_bar(app) -> str:
    return widget_lines(app, app.bar)[0]


def sign_in_key_background(app, word: str = "Sign in"):
    """The background the key bar paints under the key whose text holds `word`."""
    from roleswitch.ui.widgets.key_bar import KeyBar

    strip = app.screen._compositor.render_strips()[app.query_one(KeyBar).region.y]
    return next(seg.style.bgcolor for seg in strip if word in seg.text)


async def assume_dev_admin(app, pilot) -> None:
    await pilot.press(*"development admin", "enter")
    await settle(app, pilot)
    assert app.session is not None and app.session.target_name == DEV_ADMIN, notes(app)
    app.clear_notifications()


async def test_top_bar_shows_the_sign_ins_own_time_left_from_the_clock(home):
    write_sandbox(home)
    app, _, clock, sso = make_sso_app(home, sessions={"corp": timedelta(hours=2)}, listed=FIRST_FOUND)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await pilot.press(*"prod admin", "enter")  # not an SSO role: no SSO note
        await settle(app, pilot)
        assert "SSO" not in top_bar(app)
        await assume_dev_admin(app, pilot)
        assert "SSO corp 2h 00m 00s left" in top_bar(app)
        detail = "\n".join(widget_lines(app, app.detail))
        assert "Sign-in      corp: until 2026-11-22 14:00:00 UTC" in detail
        assert "MFA serial" not in detail and "Duration     set by the permission set" in detail
        clock.advance(65)
        app.tick()
        await pilot.pause()
        assert "SSO corp 1h 58m 55s left" in top_bar(app)
        assert sign_in_key_background(app) == sign_in_key_background(app, "Renew")  # not highlighted yet
        clock.advance(2 * 3600)
        app.tick()
        await pilot.pause()
        assert "SSO corp signed out · ctrl+n signs in" in top_bar(app)
        assert sign_in_key_background(app) != sign_in_key_background(app, "Renew")  # the key to press now


async def test_auto_renew_pauses_when_the_sign_in_has_ended(home):
    write_sandbox(home)
    app, sts, clock, sso = make_sso_app(home, sessions={"corp": timedelta(minutes=30)}, listed=FIRST_FOUND)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await assume_dev_admin(app, pilot)
        app.auto_renew = True
        calls = len(sts.calls)
        clock.advance(3000)  # the role is inside its renew margin; the sign-in ended 20 minutes ago
        for _ in range(5):
            app.tick()
            clock.advance(1)
            await settle(app, pilot)
        assert len(sts.calls) == calls  # not tried: it could only fail
        said = [n for n in notes(app) if "SSO session corp has ended" in n]
        assert said == [
            f"Auto-renew cannot renew {DEV_ADMIN}: the SSO session corp has ended; press ctrl+n to sign in again."
        ]


async def test_a_renewal_refused_for_an_ended_sign_in_offers_the_sign_in(home):
    write_sandbox(home)
    app, sts, _, sso = make_sso_app(home, sessions={"corp": timedelta(hours=2)}, listed=FIRST_FOUND)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await assume_dev_admin(app, pilot)
        before = home.credentials.read_bytes()
        sts.fail_with = login_needed("corp", "has ended (its sign-in expired or was revoked)")
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        assert notes(app) == ["The SSO session corp has ended; press ctrl+n to sign in again."]
        assert "SSO corp signed out · ctrl+n signs in" in top_bar(app)
        assert home.credentials.read_bytes() == before

        sts.fail_with = None  # signing in again clears it
        await pilot.press("ctrl+n")
        from tests.ui.test_sso_login import code_shown, dialog_gone

        await code_shown(app, pilot)
        sso.decide("approve")
        await dialog_gone(app, pilot)
        await settle(app, pilot)
        assert "SSO corp 8h 00m 00s left" in top_bar(app)


async def test_start_discovers_signed_in_sessions_with_progress_then_reloads(home):
    write_sandbox(home)
    sessions = {"corp": timedelta(hours=6), "lab": None}
    app, _, _, sso = make_sso_app(home, sessions=sessions)
    sso.discover_gate = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"dev")
        await wait_until(pilot, lambda: "corp: 1 of 2+ accounts" in top_bar(app), lambda: top_bar(app))
        assert app.catalogue.find(DEV_ADMIN) is None
        sso.discover_gate.set()
        await settle(app, pilot)
        assert sso.discovered == ["corp"]  # lab is not signed in: nothing to list
        assert app.catalogue.find(DEV_ADMIN) is not None
        assert "accounts" not in top_bar(app)
        assert app.filter_input.value == "dev" and app.targets.highlighted.name.startswith(
            "corp/Development/"
        )
        assert app.targets.match_count == 2


async def test_a_recent_discovery_is_not_run_again_at_start(home):
    write_sandbox(home)
    app, _, clock, sso = make_sso_app(home, sessions={"corp": timedelta(hours=6)}, listed=FIRST_FOUND)
    sso.set_status("corp", discovered_at=clock.now() - timedelta(minutes=20))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        assert sso.discovered == []
    app, _, clock, sso = make_sso_app(home, sessions={"corp": timedelta(hours=6)}, listed=FIRST_FOUND)
    sso.set_status("corp", discovered_at=clock.now() - timedelta(hours=2))
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        assert sso.discovered == ["corp"]


async def test_a_failed_discovery_is_one_quiet_sentence_and_keeps_the_roles(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home, sessions={"corp": timedelta(hours=6)}, listed=FIRST_FOUND)
    sso.found = FIRST_FOUND + LATER_FOUND
    sso.discover_fails = "IAM Identity Center (sso) could not be reached; check the network and try again."
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        assert sso.discovered == ["corp"]
        assert notes(app) == [sso.discover_fails]
        assert [n.severity for n in app._notifications] == ["warning"]
        assert app.catalogue.find(DEV_ADMIN) is not None
        assert app.catalogue.find("corp/Security/SecurityAudit") is None
        assert "accounts" not in top_bar(app)
