"""Pilot tests of the app's behaviour, with a frozen clock and the real credentials writer."""

from __future__ import annotations

import threading
import tomllib

import pytest

from roleswitch.core.errors import AssumeError
from roleswitch.ui.app import FilterInput
from roleswitch.ui.screens.mfa import MfaScreen
from roleswitch.ui.widgets.detail import DetailPane
from roleswitch.ui.widgets.session_bar import SessionBar
from roleswitch.ui.widgets.target_list import TargetList
from tests.ui.helpers import CREDENTIALS, SECRET, TOKEN, TOML, make_app, notes, settle, write_sandbox

SIZE = (100, 30)


def bar_classes(app) -> set[str]:
    return {c for c in app.query_one(SessionBar).classes if c.startswith("-")}


async def test_filtering_narrows_widens_and_keeps_a_sensible_highlight(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        tl = app.query_one(TargetList)
        assert tl.total == 6 and tl.highlighted.name == "prod/Admin"
        await pilot.press("down")
        assert tl.highlighted.name == "prod/BreakGlass"
        await pilot.press(*"prod")
        assert tl.match_count == 2 and tl.highlighted.name == "prod/BreakGlass"  # kept
        await pilot.press(*" adm")
        assert tl.match_count == 1 and tl.highlighted.name == "prod/Admin"  # moved to a match
        await pilot.press(*["backspace"] * 8)
        assert tl.filter_text == "" and tl.match_count == 6 and tl.highlighted.name == "prod/Admin"
        await pilot.press(*"222222")  # account id
        assert {tl.highlighted.name} <= {"staging/ReadOnly", "staging/Deploy"}
        assert tl.match_count == 2
        assert "2 of 6" in str(app.query_one("#count").render())
        await pilot.press(*"zzz")
        assert tl.highlighted is None and tl.match_count == 0
        await pilot.press("escape")  # leave the filter
        assert isinstance(app.focused, TargetList)
        await pilot.press("escape")  # clear it
        assert tl.match_count == 6
        await pilot.press("end")
        assert tl.highlighted.name == "broken"
        await pilot.press("home")
        assert tl.highlighted.name == "prod/Admin"
        await pilot.press("p")  # a printable key in the list starts filtering
        assert isinstance(app.focused, FilterInput) and tl.filter_text == "p"


async def test_enter_from_filter_assumes_and_writes_the_active_profile(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"stg read", "enter")
        await settle(app, pilot)
        assert sts.calls == [("staging/ReadOnly", None)]
        text = home.credentials.read_text()
        assert text.startswith(CREDENTIALS) and "roleswitch_target = staging/ReadOnly" in text
        assert app.session.target_name == "staging/ReadOnly"
        assert any(
            "Assumed staging/ReadOnly into [default] until 2026-11-22 13:00:00" in n for n in notes(app)
        )
        assert "1h 00m 00s left" in str(app.query_one(SessionBar).render())
        assert bar_classes(app) == {"-calm"}
        assert isinstance(app.focused, TargetList)


async def test_mfa_modal_good_code_bad_code_and_cancel(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, MfaScreen) and sts.calls == []
        assert "Cancelled: nothing was written." in notes(app)
        assert home.credentials.read_text() == CREDENTIALS

        await pilot.press("enter")
        await pilot.press(*"12a34")  # letters are refused by the input
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen) and sts.calls == []
        assert "6 digits" in str(app.screen.query_one("#mfa-hint").render())
        await pilot.press(*"56", "enter")
        await settle(app, pilot)
        assert sts.calls == [("prod/BreakGlass", "123456")]
        assert app.session.target_name == "prod/BreakGlass"


@pytest.mark.parametrize(
    "message",
    [
        "Access denied assuming arn:aws:iam::111111111111:role/Admin: source profile 'corp' is not allowed to.",
        "The MFA code was not accepted; wait for the next code and try again.",
        "The credentials of source profile 'corp' have expired; refresh them and try again.",
        "Could not connect to STS (http://127.0.0.1:1); check the network, or AWS_ENDPOINT_URL_STS if you set it.",
    ],
)
async def test_sts_failures_show_the_core_sentence_and_write_nothing(home, message):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    sts.fail_with = AssumeError(message)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        assert message in notes(app)
        assert app.session is None and app.busy is None
        assert home.credentials.read_text() == CREDENTIALS
        assert app.is_running


async def test_refused_write_never_calls_sts(home):
    write_sandbox(home, credentials=CREDENTIALS + "[default]\naws_access_key_id = AKIALONG\n")
    before = home.credentials.read_bytes()
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        assert sts.calls == []
        assert any("did not write; choose another active profile" in n for n in notes(app))
        assert home.credentials.read_bytes() == before


async def test_invalid_target_explains_itself(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"broken", "enter")
        await settle(app, pilot)
        assert sts.calls == [] and any("not an IAM role ARN" in n for n in notes(app))


async def test_second_enter_while_busy_starts_no_second_call(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    sts.gate = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await pilot.pause()
        assert app.busy == "prod/Admin"
        await pilot.press("enter")
        await pilot.pause()
        assert app.check_action("renew", ()) is None  # greyed while busy
        sts.gate.set()
        await settle(app, pilot)
        assert len(sts.calls) == 1
        assert any("Still assuming prod/Admin" in n for n in notes(app))


async def test_countdown_crosses_every_band_and_warns_once(home):
    write_sandbox(home)
    app, _, clock = make_app(home)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        bar = app.query_one(SessionBar)
        steps = [
            (0, "1h 00m 00s left", "-calm"),
            (3000, "10m 00s left", "-warning"),
            (1, "9m 59s left", "-warning"),
            (479, "2m 00s left", "-alarm"),
            (119, "1s left", "-alarm"),
            (1, "EXPIRED 0s ago", "-expired"),
            (185, "EXPIRED 3m ago", "-expired"),
        ]
        for advance, text, band in steps:
            clock.advance(advance)
            app.tick()
            await pilot.pause()
            assert text in str(bar.render()), (text, str(bar.render()))
            assert bar_classes(app) == {band}
        assert len(bells) == 1  # entering the warning band rings once
        assert sum("expires in 10m 00s" in n for n in notes(app)) == 1
        # The clock jumping back (or a fresh tick) shows the truth again at once.
        clock.advance(-3000)
        app.tick()
        assert bar_classes(app) == {"-calm"}


async def test_renew_replaces_the_keys(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        first = home.credentials.read_text()
        clock.advance(3300)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        second = home.credentials.read_text()
        assert len(sts.calls) == 2 and first != second
        assert "ASIATESTKEY000000002" in second and "ASIATESTKEY000000001" not in second
        assert any(n.startswith("Renewed prod/Admin") for n in notes(app))
        assert "1h 00m 00s left" in str(app.query_one(SessionBar).render())


async def test_auto_renew_persists_renews_once_and_never_loops(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+a")
        await settle(app, pilot)
        assert tomllib.loads(home.toml.read_text())["settings"]["auto_renew"] is True
        assert "renew_margin" in home.toml.read_text()  # the other settings were kept
        clock.advance(3000)  # into the warning band
        app.tick()
        await settle(app, pilot)
        assert len(sts.calls) == 2 and app.session.access_key_id == "ASIATESTKEY000000002"
        # A failing renewal is tried once per expiry, never in a loop.
        sts.fail_with = AssumeError("AWS STS is throttling requests; wait a few seconds and try again.")
        clock.advance(3000)
        for _ in range(5):
            app.tick()
            clock.advance(1)
            await settle(app, pilot)
        assert len(sts.calls) == 3
        assert sum("throttling" in n for n in notes(app)) == 1
        await pilot.press("ctrl+a")
        await settle(app, pilot)
        assert tomllib.loads(home.toml.read_text())["settings"]["auto_renew"] is False


async def test_auto_renew_uses_the_mfa_session_and_says_when_it_cannot(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.press(*"123456", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+a")
        await settle(app, pilot)
        assert notes(app)[-1].startswith("Auto-renew is on")
        clock.advance(3300)
        app.tick()
        await settle(app, pilot)
        assert sts.calls == [("prod/BreakGlass", "123456"), ("prod/BreakGlass", None)]
        await pilot.press("ctrl+l")  # log out: the MFA session is gone
        await settle(app, pilot)
        assert notes(app)[-1].startswith("Forgot 1 MFA session")
        clock.advance(3300)
        app.tick()
        await settle(app, pilot)
        assert len(sts.calls) == 2
        assert any(
            "Auto-renew cannot renew prod/BreakGlass: its MFA session has ended" in n for n in notes(app)
        )


async def test_clear_asks_then_removes_only_our_section(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await pilot.press("n")
        assert app.session is not None
        await pilot.press("ctrl+d")
        await pilot.press("y")
        await settle(app, pilot)
        assert app.session is None and home.credentials.read_text() == CREDENTIALS
        assert app.check_action("clear_session", ()) is None


async def test_existing_session_is_read_back_at_start(home):
    write_sandbox(home)
    first, _, clock = make_app(home)
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press(*"stg deploy", "enter")
        await settle(first, pilot)
    clock.advance(600)
    second, sts, _ = make_app(home, clock=clock)
    async with second.run_test(size=SIZE) as pilot:
        assert second.session.target_name == "staging/Deploy"
        assert second.query_one(TargetList).highlighted.name == "staging/Deploy"
        assert "50m 00s left" in str(second.query_one(SessionBar).render())
        await pilot.pause()
        await pilot.pause()  # the detail pane follows the highlight a frame later
        detail = str(second.query_one(DetailPane).render())
        assert detail.startswith("Deploy\nstaging/Deploy") and "Active session in [default]" in detail
        assert sts.calls == []


async def test_copy_exports_goes_to_the_clipboard_not_the_screen(home, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no clipboard command: OSC 52 through the terminal
    write_sandbox(home)
    app, _, _ = make_app(home)
    copied: list[str] = []
    app.copy_to_clipboard = copied.append
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert copied and f"export AWS_SECRET_ACCESS_KEY={SECRET}-1" in copied[0]
        assert "export AWS_REGION=eu-west-1" in copied[0]
        screen = app.export_screenshot()
        assert SECRET not in screen and TOKEN not in screen


async def test_keys_grey_out_when_they_cannot_act(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE):
        for action in ("renew", "copy_exports", "clear_session"):
            assert app.check_action(action, ()) is None
        assert app.check_action("assume", ()) is True
        ids = {b.id for b in app.BINDINGS}
        assert {"assume", "renew", "auto-renew", "copy-exports", "clear", "help", "quit"} <= ids


async def test_help_and_command_palette(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"assume: staging/readonly")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert sts.calls == [("staging/ReadOnly", None)]


async def test_broken_config_is_a_warning_not_a_crash(home):
    write_sandbox(home, toml="[settings\n")
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.is_running
        assert any("config.toml" in n and "line 1" in n for n in notes(app))
        assert app.query_one(TargetList).total == 2  # the AWS config profiles still load


async def test_mouse_click_highlights_and_double_click_assumes(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        tl = app.query_one(TargetList)
        # Row 0 is the Production header, 1 Admin, 2 BreakGlass, 3 the Staging header, 4 ReadOnly.
        await pilot.click(TargetList, offset=(10, 4))
        assert tl.highlighted.name == "staging/ReadOnly"
        await pilot.click(TargetList, offset=(10, 0))  # a header is not selectable
        assert tl.highlighted.name == "staging/ReadOnly"
        await pilot.click(TargetList, offset=(10, 1), times=2)
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]


async def test_filter_terms_do_not_match_across_fields(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"admo")  # "adm" in the role name, "o" only in another field
        tl = app.query_one(TargetList)
        assert tl.match_count == 0
        await pilot.press("backspace")
        assert tl.match_count == 2  # prod/Admin and legacy-admin


async def test_auto_renew_toggle_with_a_broken_config_saves_nothing(home):
    broken = TOML + "\n[settings\n"
    write_sandbox(home, toml=broken)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape", "ctrl+a")
        await settle(app, pilot)
        assert app.auto_renew is False
        assert any("cannot be updated" in n and "fix it first" in n for n in notes(app))
        assert home.toml.read_text() == broken
        assert app.is_running


async def test_a_refused_mfa_session_asks_for_the_code_once_saying_why(home):
    write_sandbox(home)
    app, sts, _clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.press(*"123456", "enter")
        await settle(app, pilot)
        sts.fail_with = AssumeError(
            "STS refused the MFA session of corp (it expired or was revoked), so roleswitch forgot "
            "it; enter a new code from arn:aws:iam::111111111111:mfa/alice.",
            code="mfa-session-ended",
        )
        await pilot.press("ctrl+r")  # the session looks open, so no code is asked for first
        await settle(app, pilot)
        assert isinstance(app.screen, MfaScreen)
        reason = str(app.screen.query_one("#mfa-reason").render())
        assert reason.startswith("STS refused the MFA session of corp")
        sts.fail_with = None
        await pilot.press(*"654321", "enter")
        await settle(app, pilot)
        assert [code for _, code in sts.calls] == ["123456", None, "654321"]
        assert not isinstance(app.screen, MfaScreen)
        assert app.session.access_key_id == "ASIATESTKEY000000003"


async def test_sdk_profile_from_the_palette_and_from_ctrl_o(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sdk profile: staging/deploy")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        text = home.config.read_text()
        assert "[profile staging-Deploy]\ncredential_process = " in text
        assert text.rstrip().endswith("roleswitch_target = staging/Deploy")
        await pilot.press(*"legacy", "ctrl+o")  # a profile of the config file: its SDK twin gets a suffix
        await pilot.pause()
        assert "[profile legacy-admin-roleswitch]" in home.config.read_text()
        assert notes(app)[-1].startswith("Wrote [profile legacy-admin-roleswitch]")
        assert sts.calls == []  # writing a profile assumes nothing
