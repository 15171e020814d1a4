"""Dialogs say exactly what they are given, wrap instead of clipping, and default to safety.

Texts here name profiles like `[default]`, which Textual markup would swallow; a
clear confirmation must not remove anything on a stray Enter.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Button, Input

from roleswitch.ui.screens.confirm import ConfirmScreen
from roleswitch.ui.screens.help import HelpScreen
from roleswitch.ui.screens.mfa import MfaScreen
from tests.ui.helpers import make_app, settle, write_sandbox
from tests.ui.screen_reading import flowing_text, screen_lines, widget_lines

SMALL = [(60, 20), (80, 24)]
QUESTION = "Remove [default] (staging/ReadOnly) from the credentials file?"


async def active_session(app, pilot) -> None:
    await pilot.press(*"stg read", "enter")
    await settle(app, pilot)
    assert app.session is not None
    app.clear_notifications()


def dialog_text(app) -> str:
    return flowing_text(widget_lines(app, app.screen.query_one(".dialog")))


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_clear_question_names_the_profile_and_is_never_clipped(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=size) as pilot:
        await active_session(app, pilot)
        await app.run_action("clear_session")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert QUESTION in dialog_text(app)


async def test_clear_defaults_to_no_and_only_yes_removes(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await active_session(app, pilot)
        before = home.credentials.read_bytes()
        await app.run_action("clear_session")
        await pilot.pause()
        assert isinstance(app.focused, Button) and app.focused.id == "no"
        await pilot.press("enter")  # a stray Enter answers No
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert home.credentials.read_bytes() == before and app.session is not None

        await app.run_action("clear_session")
        await pilot.pause()
        await pilot.click("#yes")
        await pilot.pause()
        assert app.session is None and "staging/ReadOnly" not in home.credentials.read_text()


async def test_clear_with_y(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await active_session(app, pilot)
        await app.run_action("clear_session")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session is None and "roleswitch_target" not in home.credentials.read_text()


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_mfa_dialog_shows_its_texts_as_written_and_wraps_them(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home)
    reason = (
        "STS refused the cached MFA session for [default] (it expired or was revoked); "
        "enter a new code to start another one."
    )
    async with app.run_test(size=size) as pilot:
        target = app.catalogue.find("prod/BreakGlass")
        app.push_screen(MfaScreen(target, reason, alarm=True))
        await pilot.pause()
        text = dialog_text(app)
        assert "MFA code for prod/BreakGlass" in text
        assert "Device: arn:aws:iam::111111111111:mfa/alice" in text
        assert reason in text


@pytest.mark.parametrize("pasted", ["123 456", "123-456", " 123456 ", "123 456\n"])
async def test_mfa_code_pasted_with_spaces_or_dashes_is_accepted(home, pasted):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen)
        code_input = app.screen.query_one("#mfa-code", Input)
        code_input.post_message(events.Paste(pasted))
        await pilot.pause()
        assert code_input.value == "123456"
        await pilot.press("enter")
        await settle(app, pilot)
        assert sts.calls == [("prod/BreakGlass", "123456")]


async def test_mfa_error_goes_away_once_the_code_changes(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.pause()
        hint = app.screen.query_one("#mfa-hint")
        await pilot.press(*"12", "enter")
        await pilot.pause()
        assert hint.has_class("error") and "6 digits" in str(hint.render())
        await pilot.press("3")
        await pilot.pause()
        assert not hint.has_class("error") and "6 digits" not in str(hint.render())
        assert "Enter to assume" in str(hint.render())
        assert sts.calls == []


async def test_help_warns_that_copy_goes_through_the_terminal(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(120, 60)) as pilot:
        await app.run_action("help")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = flowing_text(screen_lines(app))
        assert "OSC 52" in text and "recording" in text


async def test_help_names_the_keys_the_app_binds(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(120, 60)) as pilot:
        await app.run_action("help")
        await pilot.pause()
        lines = screen_lines(app)
        by_id = {binding.id: binding for binding in app.BINDINGS if binding.id}
        for binding_id in ("renew", "auto-renew", "copy-exports", "clear", "logout", "sdk-profile"):
            key = by_id[binding_id].key
            # the key opens a line of the help, as a person reads it (ctrl+r, not ^r)
            assert any(line.strip(" █").startswith(key + " ") for line in lines), (binding_id, key)


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_help_descriptions_wrap_under_their_own_column(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=size) as pilot:
        await app.run_action("help")
        await pilot.pause()
        lines = widget_lines(app, app.screen.query_one(".dialog"))
        inner = [line.strip("█▀▄ ").rstrip("▁▂▃▄▅▆▇█ ") for line in lines]
        start = next(i for i, line in enumerate(inner) if line.startswith("type"))
        column = lines[start].index("filter")
        follow = lines[start + 1]
        # the description of `type` is too long for a small dialog: its next line starts
        # under "filter", not back at the key column
        assert follow[column - 1] == " " and follow[column] != " ", (lines[start], follow)


@pytest.mark.parametrize("size", SMALL, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_notifications_show_profiles_as_written_and_wrap(home, size):
    """A guard: the app's notify never reads markup, and Textual's toasts wrap."""
    write_sandbox(home)
    app, _, _ = make_app(home)
    message = (
        "Refusing to write [default]: it holds keys roleswitch did not write; nothing was "
        "changed, so choose another active profile in roleswitch's config."
    )
    async with app.run_test(size=size, notifications=True) as pilot:
        app.clear_notifications()
        app.notify(message, title="Nothing was written [default]", severity="error")
        for _ in range(50):  # the toast rack mounts its toasts a few messages later
            await pilot.pause()
            if app.screen.query("Toast"):
                break
        toast = app.screen.query_one("Toast")
        text = flowing_text(widget_lines(app, toast))
        assert "Nothing was written [default]" in text and message in text, text
