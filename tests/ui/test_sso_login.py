"""ctrl+n signs in to IAM Identity Center from the app, with a scripted service.

The dialog shows the page and the code (readable, never clipped), copies and opens the
page without needing either, and ends in one sentence for every way a sign-in ends;
typing never opens it. test_sso_real.py runs the same flow against the local Identity
Center with the real core login.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from roleswitch.ui.screens.sso_login import SsoLoginScreen, SsoSessionPicker
from tests.ui.helpers import notes, settle, write_sandbox
from tests.ui.screen_reading import flowing_text, screen_lines, widget_lines
from tests.ui.sso_helpers import COMPLETE, USER_CODE, make_sso_app

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def quick_close(monkeypatch):
    monkeypatch.setattr(SsoLoginScreen, "CLOSE_AFTER", 0.01)


async def started(app, pilot, sso) -> None:
    """Past the first frame: the sessions have been read (in the background)."""
    for _ in range(100):
        await pilot.pause(0.02)
        if sso.statuses_read and not app.sso_key.reading:
            break
    await settle(app, pilot)


async def code_shown(app, pilot) -> SsoLoginScreen:
    for _ in range(200):
        await pilot.pause(0.01)
        screen = app.screen
        if isinstance(screen, SsoLoginScreen) and screen.code is not None:
            return screen
    raise AssertionError(f"no code shown; screen is {app.screen!r}, notes {notes(app)}")


async def open_sign_in(app, pilot, sso) -> SsoLoginScreen:
    """Once the app has read the sessions: ctrl+n, until the dialog shows its code."""
    await started(app, pilot, sso)
    await pilot.press("ctrl+n")
    return await code_shown(app, pilot)


async def wait_until(pilot, condition, what) -> None:
    for _ in range(200):
        await pilot.pause(0.01)
        if condition():
            return
    raise AssertionError(what())


async def dialog_gone(app, pilot) -> None:
    for _ in range(300):
        await pilot.pause(0.01)
        if not isinstance(app.screen, SsoLoginScreen):
            return
    raise AssertionError("the sign-in dialog stayed open")


def dialog_text(app) -> str:
    return flowing_text(widget_lines(app, app.screen.query_one("#sso-dialog")))


def home_files(home) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in home.root.rglob("*") if p.is_file()}


async def test_sign_in_key_is_hidden_without_sso_and_shown_with_it(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home, sessions={})
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        assert app.check_action("sso_sign_in", ()) is False
        assert "Sign in" not in widget_lines(app, app.query_one("#keys"))[0]
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        assert app.check_action("sso_sign_in", ()) is True
        assert "^n Sign in" in widget_lines(app, app.query_one("#keys"))[0]


async def test_typing_letters_never_starts_a_sign_in(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await pilot.press(*"nsign corp")  # in the filter
        await pilot.press("escape", *"n corp")  # in the list: starts a new filter
        await settle(app, pilot)
        assert not isinstance(app.screen, SsoLoginScreen)
        assert sso.sign_ins == []
        assert app.filter_input.value == "n corp"


async def test_approved_sign_in_discovers_and_keeps_filter_and_highlight(home, monkeypatch):
    write_sandbox(home)
    copied: list[str] = []
    app, _, _, sso = make_sso_app(home)
    app.copy_to_clipboard = copied.append
    monkeypatch.setenv("PATH", "/nonexistent")  # no clipboard command, no browser: OSC 52, and a sentence
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await pilot.press(*"stag")
        await pilot.press("down")  # a highlight the person chose
        await pilot.pause()
        chosen = app.targets.highlighted.name
        await pilot.press("ctrl+n")
        screen = await code_shown(app, pilot)
        text = dialog_text(app)
        assert COMPLETE in text and " ".join(USER_CODE) in text and "Waiting for approval" in text
        assert "Sign in to corp" in text

        await pilot.press("c")
        await pilot.pause(0.2)
        await pilot.pause()
        assert copied == [COMPLETE]
        await pilot.press("o")
        await pilot.pause(0.2)
        await pilot.pause()
        assert "No browser could be opened here" in dialog_text(app)
        assert isinstance(app.screen, SsoLoginScreen)  # neither is needed: still waiting

        sso.decide("approve")
        await dialog_gone(app, pilot)
        assert screen.outcome is not None and screen.outcome.expires_at is not None
        await settle(app, pilot)
        assert sso.discovered == ["corp"]
        assert app.catalogue.find("corp/Development/AdministratorAccess") is not None, notes(app)
        assert app.filter_input.value == "stag" and app.targets.filter_text == "stag"
        assert app.targets.highlighted.name == chosen
        said = " ".join(notes(app))
        assert "Signed in to corp until 2026-11-22 20:00:00 UTC;" in said
        assert "corp: 1 account, 2 roles found." in said


async def test_signed_in_text_shows_before_the_dialog_closes(home, monkeypatch):
    monkeypatch.setattr(SsoLoginScreen, "CLOSE_AFTER", 5.0)
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_sign_in(app, pilot, sso)
        sso.decide("approve")
        await wait_until(
            pilot,
            lambda: "Signed in as corp; finding accounts…" in dialog_text(app),
            lambda: dialog_text(app),
        )
        assert USER_CODE.replace("-", "") not in "".join(notes(app))


async def test_escape_cancels_and_the_wait_stops_at_once(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    before = home_files(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_sign_in(app, pilot, sso)
        pressed = time.monotonic()
        await pilot.press("escape")
        await dialog_gone(app, pilot)
        for _ in range(100):
            if sso.cancelled_at is not None:
                break
            time.sleep(0.01)
        assert sso.cancelled_at is not None and sso.cancelled_at - pressed < 0.5
        await settle(app, pilot)
        assert notes(app)[-1] == "Sign-in cancelled; nothing was written."
        assert sso.discovered == [] and app.check_action("sso_sign_in", ()) is True
    assert home_files(home) == before


@pytest.mark.parametrize(
    ("decision", "sentence"),
    [
        ("deny", "The sign-in was denied in the browser; nothing was written."),
        ("expire", "The sign-in code expired before it was approved; press ctrl+n to try again."),
        (
            "unreachable",
            "IAM Identity Center (sso-oidc) could not be reached; check the network and try again.",
        ),
    ],
)
async def test_every_failed_sign_in_is_one_sentence_and_changes_nothing(home, decision, sentence):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    before = home_files(home)
    async with app.run_test(size=SIZE) as pilot:
        await open_sign_in(app, pilot, sso)
        sso.decide(decision)
        await dialog_gone(app, pilot)
        await settle(app, pilot)
        assert notes(app) == [sentence]
        assert sso.discovered == [] and home_files(home) == before
        await pilot.press(*"prod admin", "enter")  # the app keeps running
        await settle(app, pilot)
        assert app.session is not None


async def test_several_sessions_ask_which_offering_the_signed_out_one(home):
    write_sandbox(home)
    sessions = {"corp": timedelta(hours=6), "lab": None, "ops": timedelta(minutes=10)}
    app, _, _, sso = make_sso_app(home, sessions=sessions)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, sso)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, SsoSessionPicker)
        text = "\n".join(screen_lines(app))
        assert "corp  6h 00m left" in text and "lab   not signed in" in text and "ops   10m left" in text
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SsoSessionPicker) and sso.sign_ins == []

        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("enter")  # the default: the first not signed in
        await code_shown(app, pilot)
        assert sso.sign_ins == ["lab"]
        await pilot.press("escape")
        await dialog_gone(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_code_and_page_are_never_clipped(home, size):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=size) as pilot:
        await open_sign_in(app, pilot, sso)
        await pilot.pause()
        lines = screen_lines(app)
        assert any(" ".join(USER_CODE) in line for line in lines), "\n".join(lines)
        assert any(COMPLETE in line for line in lines), "\n".join(lines)  # on one line, whole
        assert "Esc cancel" in dialog_text(app)
        await pilot.press("escape")
        await dialog_gone(app, pilot)


async def test_demo_approve_key_only_with_a_demo_approver(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    approved: list[str] = []

    def approve(user_code: str) -> None:
        approved.append(user_code)
        sso.decide("approve")

    async with app.run_test(size=SIZE) as pilot:
        await open_sign_in(app, pilot, sso)
        assert "approve (demo)" not in dialog_text(app)
        await pilot.press("a")  # no approver: the key does nothing
        await pilot.pause(0.1)
        assert approved == [] and isinstance(app.screen, SsoLoginScreen)
        await pilot.press("escape")
        await dialog_gone(app, pilot)

        sso.approve_device = approve
        await pilot.press("ctrl+n")
        await code_shown(app, pilot)
        assert "a approve (demo)" in dialog_text(app)
        await pilot.press("a")
        await dialog_gone(app, pilot)
        await settle(app, pilot)
        assert approved == [USER_CODE] and sso.discovered == ["corp"]


async def test_palette_offers_sign_in_and_refresh_per_session(home):
    write_sandbox(home)
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"sign in: corp")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await code_shown(app, pilot)
        await pilot.press("escape")
        await dialog_gone(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"refresh accounts: corp")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert sso.discovered == ["corp"]


async def test_an_empty_list_names_the_sign_in_key_when_sso_is_configured(home):
    home.write(config="[profile corp]\nregion = eu-west-1\n")
    app, _, _, sso = make_sso_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot, sso)
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "No roles yet: press ctrl+n to sign in to IAM Identity Center" in text
