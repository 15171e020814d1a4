"""Keys that arrive together (fast typing in tmux) never answer a dialog twice.

A terminal delivers a quick Enter, Enter in one read: both keys reach the dialog before
the first answer has taken it off the screen, and a second dismiss used to pop a screen
that was not there (ScreenStackError, the app gone). Each test posts the keys before
awaiting anything, as a terminal's one read does.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Checkbox

from roleswitch.ui.screens.confirm import ConfirmScreen
from roleswitch.ui.screens.mfa import MfaScreen
from roleswitch.ui.screens.profile_prompt import ProfilePrompt
from roleswitch.ui.screens.region_picker import RegionPicker
from tests.ui.helpers import make_app, settle, write_sandbox
from tests.ui.test_issue15_dialogs import REGIONS, UNANSWERED, Checks, Host, dialog_text, until

SIZE = (100, 30)


def burst(app, *keys: str) -> None:
    """Post `keys` (names or characters) at once, as one read from a terminal."""
    for key in keys:
        character = {"enter": "\r", "space": " ", "tab": "\t"}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def test_mfa_enter_twice_assumes_once_and_keeps_the_app(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        burst(app, *"123456", "enter", "enter")
        await settle(app, pilot)
        assert sts.calls == [("prod/BreakGlass", "123456")]
        assert not isinstance(app.screen, MfaScreen)
    assert app.return_code in (0, None)


async def test_region_picker_enter_twice_picks_once():
    app = Host(RegionPicker(REGIONS, "eu-west-1", "Region for [default]"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, *"eu-west-2", "enter", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.answer == "eu-west-2"
    assert app.return_code in (0, None)


async def test_confirm_y_twice_answers_once():
    app = Host(ConfirmScreen("Remove [default]?"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "y", "y")
        await pilot.pause()
        await pilot.pause()
        assert app.answer is True
    assert app.return_code in (0, None)


async def test_confirm_enter_twice_on_no_answers_no_once():
    app = Host(ConfirmScreen("Remove [default]?"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "enter", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.answer is False
    assert app.return_code in (0, None)


async def open_palette_in(app, pilot) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()


async def test_palette_enter_twice_runs_the_command_once_and_keeps_the_app(home):
    from textual.command import CommandList, CommandPalette

    from roleswitch.ui.screens.sessions import SessionsScreen

    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette_in(app, pilot)
        await pilot.press(*"sessions")
        commands = app.screen.query_one(CommandList)
        for _ in range(40):  # until this query's entries replace the empty palette's
            await pilot.pause(0.05)
            if commands.option_count and str(commands.get_option_at_index(0).prompt).startswith("sessions"):
                break
        burst(app, "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionsScreen)
        assert not any(isinstance(screen, CommandPalette) for screen in app.screen_stack)
        assert sts.calls == []
    assert app.return_code in (0, None)


async def test_palette_typing_and_enter_in_one_read_runs_what_was_typed(home):
    """Enter used to pick from the entries still shown for an earlier query: the empty
    palette's first target was assumed (or Textual's keys panel opened)."""
    from roleswitch.ui.screens.sessions import SessionsScreen

    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_palette_in(app, pilot)
        burst(app, *"sessions", "enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, SessionsScreen)
        assert sts.calls == []
    assert app.return_code in (0, None)


# -- ProfilePrompt: the hint's path, "Tab, Space: remember" then Enter --------------------------


async def test_profile_prompt_enter_on_the_remember_box_assumes_and_keeps_it_ticked():
    app = Host(ProfilePrompt("prod/Admin", "prod", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "space")
        assert app.screen.query_one(Checkbox).value
        await pilot.press("enter")
        await until(pilot, lambda: app.answer is not UNANSWERED)
    assert app.answer == ("prod", True)


async def test_profile_prompt_enter_on_the_unticked_box_assumes_without_remembering():
    app = Host(ProfilePrompt("prod/Admin", "prod", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("tab", "enter")
        await until(pilot, lambda: app.answer is not UNANSWERED)
    assert app.answer == ("prod", False)


async def test_profile_prompt_tab_space_enter_in_one_read_remembers_and_keeps_the_name():
    app = Host(ProfilePrompt("prod/Admin", "prod", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "tab", "space", "enter")
        await until(pilot, lambda: app.answer is not UNANSWERED)
    assert app.answer == ("prod", True)


async def test_profile_prompt_keeps_a_space_typed_inside_a_name():
    app = Host(ProfilePrompt("prod/Admin", "", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, *"my", "space", *"work", "enter")
        await until(pilot, lambda: app.answer is not UNANSWERED)
    assert app.answer == ("my work", False)


# -- RegionPicker: forgiving like the role list ----------------------------------------------------


def test_region_matching_takes_letters_in_order_best_first():
    from roleswitch.ui.screens.region_picker import matching

    regions = [
        "eu-west-1",
        "us-east-1",
        "us-west-2",
        "eu-central-1",
        "us-west-1",
        "eu-central-2",
        "ap-south-1",
    ]
    assert matching(regions, "usw2") == ["us-west-2"]
    assert matching(regions, "euc1") == ["eu-central-1"]
    assert matching(regions, "USW") == ["us-west-2", "us-west-1"]  # any case, as given
    assert matching(regions, "us") == ["us-east-1", "us-west-2", "us-west-1", "eu-west-1"]  # prefix first
    assert matching(regions, "west") == ["eu-west-1", "us-west-2", "us-west-1"]
    assert matching(regions, "1 ap") == ["ap-south-1"]
    assert matching(regions, "") == regions
    assert matching(regions, "zz") == []


async def test_region_picker_usw2_and_enter_picks_us_west_2():
    app = Host(RegionPicker(REGIONS, "eu-west-1", "Region for [default]"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"usw2", "enter")
        await pilot.pause()
    assert app.answer == "us-west-2"


async def test_profile_prompt_enter_twice_answers_once():
    app = Host(ProfilePrompt("prod/Admin", "prod", Checks(), can_remember=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: "Enter assumes into [prod]" in dialog_text(app))  # checked
        burst(app, "enter", "enter")
        await until(pilot, lambda: app.answer is not UNANSWERED)
        await pilot.pause(0.2)
    assert app.answer == ("prod", False)
    assert app.return_code in (0, None)


async def test_sso_session_picker_enter_twice_picks_once():
    from roleswitch.ui.screens.sso_login import SsoSessionPicker

    app = Host(SsoSessionPicker([("corp", "signed in"), ("lab", "not signed in")], default=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst(app, "enter", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.answer == "lab"
    assert app.return_code in (0, None)
