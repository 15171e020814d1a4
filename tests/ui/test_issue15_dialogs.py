"""Issue 15's dialogs on their own: the profile prompt, the region picker, a coloured confirm.

Each is pushed on a small host app with roleswitch's stylesheet, driven by Pilot, and
read off the painted screen.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual.app import App
from textual.color import Color
from textual.widgets import Button, Checkbox, Input, OptionList

import roleswitch.ui
from roleswitch.ui.screens.confirm import ConfirmScreen
from roleswitch.ui.screens.profile_prompt import ProfilePrompt
from roleswitch.ui.screens.region_picker import RegionPicker
from tests.ui.screen_reading import flowing_text, screen_lines, widget_lines

STYLESHEET = Path(roleswitch.ui.__file__).with_name("app.tcss")
UNANSWERED = object()
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-west-2", "eu-central-1", "ap-south-1")


class Host(App[None]):
    CSS_PATH = STYLESHEET

    def __init__(self, dialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answer: object = UNANSWERED

    def on_mount(self) -> None:
        self.push_screen(self.dialog, callback=self.answered)

    def answered(self, answer: object) -> None:
        self.answer = answer


def dialog_text(app) -> str:
    return flowing_text(widget_lines(app, app.screen.query_one(".dialog")))


async def until(pilot, condition, timeout: float = 2.0) -> None:
    """Let the app run until `condition()` holds (checks run a moment after typing stops)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the dialog never got there"
        await pilot.pause(0.02)


class Checks:
    """A credentials-file stand-in: refuses `taken`, records each name and its thread."""

    def __init__(self, refusals: dict[str, str] | None = None) -> None:
        self.refusals = refusals or {}
        self.names: list[str] = []
        self.threads: list[threading.Thread] = []

    def __call__(self, name: str) -> str | None:
        self.names.append(name)
        self.threads.append(threading.current_thread())
        return self.refusals.get(name)


TAKEN = "[work] holds keys roleswitch did not write; choose another profile."


# -- ProfilePrompt --------------------------------------------------------------------------


async def test_profile_prompt_takes_the_default_once_checked_off_the_ui_thread():
    checks = Checks()
    app = Host(ProfilePrompt("prod/Admin", "prod", checks, can_remember=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.value == "prod"
        assert "Assume prod/Admin into which profile?" in dialog_text(app)
        assert not app.screen.query(Checkbox)  # no TOML target: nothing to remember
        await until(pilot, lambda: "Enter assumes into [prod]" in dialog_text(app))
        await pilot.press("enter")
        await pilot.pause()
    assert app.answer == ("prod", False)
    assert checks.names == ["prod"]
    assert threading.main_thread() not in checks.threads


async def test_profile_prompt_refuses_a_bad_name_at_once_and_never_checks_it():
    checks = Checks()
    app = Host(ProfilePrompt("prod/Admin", "", checks, can_remember=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Type the name of the profile to write." in dialog_text(app)
        await pilot.press("enter")  # nothing typed: nothing taken
        await pilot.press(*"a]")
        await pilot.pause()
        assert "not a plain section name" in dialog_text(app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.answer is UNANSWERED and isinstance(app.screen, ProfilePrompt)
        app.screen.query_one(Input).value = "DEFAULT"
        await pilot.pause()
        assert "[DEFAULT] is the section" in dialog_text(app)
        await pilot.pause(0.2)
    assert checks.names == []


async def test_profile_prompt_shows_the_files_refusal_and_takes_the_next_name():
    checks = Checks({"work": TAKEN})
    app = Host(ProfilePrompt("prod/Admin", "work", checks, can_remember=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: TAKEN in dialog_text(app))
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.answer is UNANSWERED and TAKEN in dialog_text(app)
        await pilot.press("end", *"-2")
        await until(pilot, lambda: "Enter assumes into [work-2]" in dialog_text(app))
        assert TAKEN not in dialog_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.answer == ("work-2", False)


async def test_profile_prompt_keeps_typing_while_a_slow_async_check_runs_and_enter_waits_for_it():
    release = asyncio.Event()
    asked: list[str] = []

    async def slow_check(name: str) -> str | None:
        asked.append(name)
        await release.wait()
        return None

    app = Host(ProfilePrompt("dev/Admin", "", slow_check, can_remember=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"dev")
        await until(pilot, lambda: asked == ["dev"])  # its check started and is waiting
        await pilot.press(*"-2")  # typing is not held up by it
        assert app.screen.query_one(Input).value == "dev-2"
        await pilot.press("enter")
        await until(pilot, lambda: asked[-1:] == ["dev-2"])
        assert app.answer is UNANSWERED  # the Enter waits for its name's check
        release.set()
        await until(pilot, lambda: app.answer is not UNANSWERED)
    assert app.answer == ("dev-2", False)


async def test_profile_prompt_remembers_only_when_asked_and_escape_cancels():
    app = Host(ProfilePrompt("prod/[Admin]", "prod", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Remember for prod/[Admin]" in dialog_text(app)  # written as given, not markup
        await pilot.press("tab", "space", "shift+tab")
        assert app.screen.query_one(Checkbox).value
        await until(pilot, lambda: "Enter assumes into [prod]" in dialog_text(app))
        await pilot.press("enter")
        await pilot.pause()
    assert app.answer == ("prod", True)

    app = Host(ProfilePrompt("prod/Admin", "prod", Checks(), can_remember=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert app.answer is None


LONG_TARGET = "roleswitch-demo/Production/AdministratorAccess"


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_profile_prompt_fits_a_small_screen_with_a_long_target_name(size):
    app = Host(ProfilePrompt(LONG_TARGET, "work", Checks({"work": TAKEN}), can_remember=True))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: TAKEN in dialog_text(app))
        await pilot.press("tab")  # the box, focused, still fits
        await pilot.pause()
        text = dialog_text(app)
        assert f"Assume {LONG_TARGET} into which profile?" in text
        assert f"Remember for {LONG_TARGET}" in text and text.endswith("Esc cancels")


# -- RegionPicker ---------------------------------------------------------------------------


def highlighted(app) -> str | None:
    options = app.screen.query_one(OptionList)
    return None if options.highlighted is None else options.get_option_at_index(options.highlighted).id


async def test_region_picker_puts_the_current_region_first_and_enter_keeps_it():
    app = Host(RegionPicker(REGIONS, "eu-west-1", "Region for [default]"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = dialog_text(app)
        assert "Region for [default]" in text and "eu-west-1 (current)" in text
        assert text.index("eu-west-1") < text.index("us-east-1")
        assert highlighted(app) == "eu-west-1" and isinstance(app.focused, Input)
        await pilot.press("enter")
        await pilot.pause()
    assert app.answer == "eu-west-1"


async def test_region_picker_filters_as_typed_and_arrows_move_from_the_box():
    app = Host(RegionPicker(REGIONS, "eu-west-1", "Region for [default]"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"WEST eu")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "eu-west-1",
            "eu-west-2",
        ]
        await pilot.press("down")
        assert highlighted(app) == "eu-west-2" and isinstance(app.focused, Input)
        await pilot.press("enter")
        await pilot.pause()
    assert app.answer == "eu-west-2"


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_region_picker_keeps_its_hint_in_view_with_a_partitions_regions(size):
    from roleswitch.core.regions import partition_regions

    regions = partition_regions("aws")
    assert len(regions) > 20
    app = Host(RegionPicker(regions, "eu-west-1", "Region for [default] (production/ReadOnly)"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        text = dialog_text(app)
        assert "eu-west-1 (current)" in text and text.endswith("Esc cancels")


async def test_region_picker_says_when_nothing_matches_and_escape_cancels():
    app = Host(RegionPicker(REGIONS, None, "Region for [default]"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert highlighted(app) == "us-east-1"  # no current region: the list as given
        await pilot.press(*"mars")
        await pilot.pause()
        assert "No region matches 'mars'" in dialog_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert app.answer is UNANSWERED
        await pilot.press("escape")
        await pilot.pause()
    assert app.answer is None


# -- ConfirmScreen with an environment ------------------------------------------------------

PROD_QUESTION = "Assume production/Admin? Its environment asks before every assume."


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_confirm_wears_the_environments_colour_and_names_it(size):
    app = Host(ConfirmScreen(PROD_QUESTION, colour="red", label="production"))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        dialog = app.screen.query_one(".dialog")
        assert dialog.styles.border.top == ("thick", Color.parse("red"))
        assert "production" in screen_lines(app)[dialog.region.y]  # the name is on the border, as text
        assert PROD_QUESTION in dialog_text(app)
        assert isinstance(app.focused, Button) and app.focused.id == "no"
        await pilot.press("enter")  # No stays the default
        await pilot.pause()
    assert app.answer is False


async def test_confirm_ignores_a_colour_it_cannot_read_and_keeps_the_name():
    app = Host(ConfirmScreen(PROD_QUESTION, colour="not-a-colour", label="production"))
    plain = Host(ConfirmScreen(PROD_QUESTION))
    async with plain.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        usual = plain.screen.query_one(".dialog").styles.border.top
        assert not plain.screen.query_one(".dialog").border_title
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = app.screen.query_one(".dialog")
        assert dialog.styles.border.top == usual
        assert "production" in screen_lines(app)[dialog.region.y]
        await pilot.press("y")
        await pilot.pause()
    assert app.answer is True


# -- The demo shows all of it ---------------------------------------------------------------


def test_the_demo_has_a_confirm_gated_production_coloured_environments_and_a_remembered_profile(home):
    from roleswitch.core.catalogue import load_catalogue
    from roleswitch.demo import AWS_CONFIG, ROLESWITCH_TOML

    home.write(
        config=AWS_CONFIG.replace("{start_url}", "https://example.awsapps.com/start"), toml=ROLESWITCH_TOML
    )
    catalogue = load_catalogue()
    assert catalogue.problems == ()
    production = catalogue.find("production/Admin")
    assert catalogue.needs_confirmation(production) and production.tags == ("customer-data",)
    assert catalogue.environment_of(production).colour == "#ff0000"
    for name, environment in (("staging/Deploy", "staging"), ("development/Developer", "development")):
        target = catalogue.find(name)
        assert catalogue.environment_of(target).colour and not catalogue.needs_confirmation(target)
        assert target.environment == environment
    assert catalogue.find("sandbox/Admin").profile == "sandbox"
