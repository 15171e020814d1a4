"""The app never surprises the person: it follows other terminals, typing only filters,
nothing blocks the screen, and every claim it makes on screen is true."""

from __future__ import annotations

import os
import stat
import time
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import AssumeError
from roleswitch.core.file_lock import exclusive_lock
from roleswitch.core.mfa_sessions import forget_cached_credentials
from roleswitch.core.model import AssumeResult, Credentials
from roleswitch.ui.app import FilterInput
from roleswitch.ui.widgets.session_bar import SessionBar
from roleswitch.ui.widgets.target_list import TargetList
from tests.ui.helpers import CREDENTIALS, SECRET, make_app, notes, settle, write_sandbox

SIZE = (100, 30)
OTHER_KEY = "ASIAOTHERTERMINAL001"


def other_terminal_assume(clock, name: str) -> None:
    """What `roleswitch assume NAME` in a second terminal does to the credentials file."""
    target = load_catalogue().find(name)
    result = AssumeResult(
        target=target,
        credentials=Credentials(OTHER_KEY, "other-secret", "other-token", clock.now() + timedelta(hours=1)),
        assumed_arn=f"arn:aws:sts::{target.account_id}:assumed-role/{target.role_name}/bob",
        region=target.region or "us-east-1",
    )
    CredentialsFile().write("default", result)


def on_disk(home) -> dict:
    """The [default] section as botocore reads it ({} when there is none)."""
    return raw_config_parse(str(home.credentials)).get("default", {})


def bar_text(app) -> str:
    return str(app.query_one(SessionBar).render())


async def assume_prod_admin(app, pilot) -> None:
    await pilot.press(*"prod admin", "enter")
    await settle(app, pilot)
    assert app.session.target_name == "prod/Admin"


async def tick(app, pilot) -> None:
    app.tick()
    await settle(app, pilot)


# --- 1. another terminal's session ---------------------------------------------------


async def test_the_app_follows_another_terminal_and_never_renews_over_it(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("toggle_auto_renew")
        await settle(app, pilot)
        assert app.auto_renew
        other_terminal_assume(clock, "staging/ReadOnly")
        await tick(app, pilot)
        assert app.session.target_name == "staging/ReadOnly" and app.session.access_key_id == OTHER_KEY
        assert "staging/ReadOnly" in bar_text(app) and "prod/Admin" not in bar_text(app)
        assert any("Another program" in n and "staging/ReadOnly" in n for n in notes(app))
        # At the renew margin the app renews what is really active, never its old role.
        clock.advance(3000)
        await tick(app, pilot)
        assert on_disk(home)["roleswitch_target"] == "staging/ReadOnly"
        assert [name for name, _ in sts.calls] == ["prod/Admin", "staging/ReadOnly"]


async def test_a_section_cleared_elsewhere_shows_none_and_is_not_written_back(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("toggle_auto_renew")
        await settle(app, pilot)
        assert CredentialsFile().clear("default")  # `roleswitch clear` in another terminal
        await tick(app, pilot)
        assert app.session is None and "no active session" in bar_text(app)
        assert any("Another program removed [default]" in n for n in notes(app))
        clock.advance(3000)
        await tick(app, pilot)
        assert on_disk(home) == {} and len(sts.calls) == 1


async def test_a_renewal_never_overwrites_a_session_that_replaced_it_meanwhile(home):
    import threading

    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        sts.gate = threading.Event()
        await app.run_action("renew")  # manual renew; STS is slow
        for _ in range(100):
            await pilot.pause()
            if len(sts.calls) == 2:
                break
            time.sleep(0.01)
        other_terminal_assume(clock, "staging/Deploy")  # written while STS answers
        sts.gate.set()
        await settle(app, pilot)
        assert on_disk(home)["aws_access_key_id"] == OTHER_KEY
        assert app.session.target_name == "staging/Deploy"
        assert any("Did not renew prod/Admin" in n for n in notes(app))


async def test_an_idle_tick_costs_a_stat_not_a_read(home):
    write_sandbox(home)
    app, _, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await tick(app, pilot)  # our own write is read back once
        reads = []
        original = app.services.credentials.read_active
        app.services.credentials.read_active = lambda profile: reads.append(profile) or original(profile)
        for _ in range(5):
            clock.advance(1)
            await tick(app, pilot)
        assert reads == []
        other_terminal_assume(clock, "staging/ReadOnly")
        await tick(app, pilot)
        assert reads == ["default"]


# --- 2. typing in the list only filters ------------------------------------------------


async def test_typing_after_an_assume_filters_and_runs_no_command(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        tl = app.query_one(TargetList)
        assert isinstance(app.focused, TargetList)
        before = home.credentials.read_bytes()
        await pilot.press(*"dev", "enter")
        await settle(app, pilot)
        assert tl.filter_text == "dev" and isinstance(app.focused, FilterInput)
        assert home.credentials.read_bytes() == before and app.session is not None
        await pilot.press("escape")  # back to the list, then the next search
        await pilot.press(*"admin")
        await settle(app, pilot)
        assert tl.filter_text == "admin" and app.auto_renew is False
        assert "auto_renew" not in home.toml.read_text()
        assert home.credentials.read_bytes() == before and len(sts.calls) == 1


async def test_the_first_letter_typed_from_the_list_is_kept(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await pilot.press(*"stag")
        assert app.query_one(TargetList).filter_text == "stag"


async def test_keys_arriving_together_from_the_list_are_all_kept(home):
    """A real terminal delivers fast typing in one read: every key reaches the list before
    focus has moved to the filter. Each used to start the filter afresh, so `dev` became
    `v` and Enter assumed whatever matched `v` (seen in tmux)."""
    from textual import events

    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        target_list = app.query_one(TargetList)
        assert app.focused is target_list
        for character in "stag":
            app.post_message(events.Key(character, character))
        await pilot.pause()
        await pilot.pause()
        assert target_list.filter_text == "stag"
        await pilot.press("i")  # and typing on goes to the end, not over a selection
        assert target_list.filter_text == "stagi"


async def test_a_slash_arriving_with_the_typing_is_part_of_the_search(home):
    """`prod/admin` read in one go from the list: `/` (the list's key for the filter box)
    arrived while the focus was moving and was swallowed, so the box showed `prodadmin`
    (a newcomer saw it in tmux)."""
    from textual import events

    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        target_list = app.query_one(TargetList)
        for key, character in [*((c, c) for c in "prod"), ("slash", "/"), *((c, c) for c in "admin")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        assert target_list.filter_text == "prod/admin"
        await pilot.press("escape", "escape", "down")  # the list again, nothing being typed:
        await pilot.press("slash")  # `/` is its key for the filter box, and types nothing
        assert app.focused is app.filter_input and app.filter_input.value == ""


async def test_enter_arriving_with_the_typing_assumes_what_was_typed(home):
    """`stag` and Enter read together: Enter reached the list before the filter had
    narrowed it, and assumed the role highlighted before (seen in tmux)."""
    from textual import events

    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        for character in "stag":
            app.post_message(events.Key(character, character))
        app.post_message(events.Key("enter", "\r"))
        await settle(app, pilot)
        assert [name for name, _code in sts.calls][-1].startswith("staging/")


async def test_one_enter_in_the_list_is_one_assume_and_no_warning(home):
    """Enter in the list ran both the list's own key handler and the app's binding: the
    second found the first busy and warned "Still assuming…" after every Enter."""
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        assert app.focused is app.query_one(TargetList)
        app.clear_notifications()
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(sts.calls) == 2
        assert not [n for n in notes(app) if "Still assuming" in n]


async def test_after_an_assume_typing_highlights_the_top_match(home):
    """The assumed role stayed highlighted while the next search listed another first, so
    Enter assumed the old role (seen by a newcomer: `dev` kept development/Admin)."""
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"staging deploy", "enter")
        await settle(app, pilot)
        tl = app.query_one(TargetList)
        await pilot.press(*"stag")  # both staging roles match as well as each other
        assert tl.highlighted.name == "staging/ReadOnly"  # the top row
        await pilot.press("down", *"i")  # a highlight the person chose does stay
        assert tl.highlighted.name == "staging/Deploy"


async def test_command_keys_are_ctrl_keys_and_work_from_the_filter_too(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await pilot.press("slash", "ctrl+r")  # renew from the filter
        await settle(app, pilot)
        assert len(sts.calls) == 2
        await pilot.press("ctrl+a")
        await settle(app, pilot)
        assert app.auto_renew and tomllib.loads(home.toml.read_text())["settings"]["auto_renew"] is True
        shown = {b.key for b in app.BINDINGS if b.show}
        assert not any(len(key) == 1 and key.isalpha() for key in shown)


async def test_enter_in_the_remove_question_never_removes(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        before = home.credentials.read_bytes()
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("enter")
        await settle(app, pilot)
        assert home.credentials.read_bytes() == before and app.session is not None


async def test_assume_is_greyed_out_with_no_match(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"zzz")
        await pilot.pause()
        assert app.query_one(TargetList).match_count == 0
        assert app.screen.active_bindings["enter"].enabled is False
        await pilot.press("backspace", "backspace", "backspace")
        await pilot.pause()
        assert app.screen.active_bindings["enter"].enabled is True


# --- 6. MFA sessions ended elsewhere; a failed auto-renew stays on screen ------------------


async def test_a_logout_in_another_terminal_leaves_the_header(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "enter")
        await pilot.press(*"123456", "enter")
        await settle(app, pilot)
        assert "MFA session 12h" in bar_text(app)
        assert forget_cached_credentials() == (1, 0)  # `roleswitch logout` elsewhere
        await tick(app, pilot)
        assert "MFA session" not in bar_text(app)
        assert app.check_action("logout", ()) is False
        # and says so: the note alone just vanished (a newcomer missed it)
        assert any("Another program ended the MFA session" in n for n in notes(app))


async def test_a_failed_auto_renew_stays_on_screen_until_the_next_success(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("toggle_auto_renew")
        await settle(app, pilot)
        sts.fail_with = AssumeError("AWS STS is throttling requests; wait a few seconds and try again.")
        clock.advance(3000)
        await tick(app, pilot)
        for _ in range(30):  # the toast is long gone
            clock.advance(1)
            await tick(app, pilot)
        assert "auto-renew failed" in bar_text(app)
        sts.fail_with = None
        await app.run_action("renew")
        await settle(app, pilot)
        assert "auto-renew failed" not in bar_text(app)


# --- 7. no warning for what auto-renew is about to do -------------------------------------


async def test_auto_renew_renews_without_a_warning_and_warns_when_it_fails(home):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    bells = []
    app.bell = lambda: bells.append(1)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("toggle_auto_renew")
        await settle(app, pilot)
        clock.advance(3000)
        await tick(app, pilot)
        assert len(sts.calls) == 2 and bells == []
        assert not any("expires in" in n for n in notes(app))
        sts.fail_with = AssumeError("AWS STS is throttling requests; wait a few seconds and try again.")
        clock.advance(3000)
        await tick(app, pilot)
        clock.advance(1)
        await tick(app, pilot)
        assert len(sts.calls) == 3 and len(bells) == 1
        assert any("throttling" in n for n in notes(app))


# --- 8. the clipboard claim is true ------------------------------------------------------


def fake_clipboard_tool(folder: Path, name: str) -> Path:
    """A clipboard command that keeps what it is given in a file next to it."""
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text(f'#!/bin/sh\nexec /bin/cat > "{folder}/{name}.got"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return folder / f"{name}.got"


async def test_copy_uses_a_clipboard_command_when_there_is_one(home, tmp_path, monkeypatch):
    got = fake_clipboard_tool(tmp_path / "bin", "xclip")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    write_sandbox(home)
    app, _, _ = make_app(home)
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("copy_exports")
        await settle(app, pilot)
        assert f"export AWS_SECRET_ACCESS_KEY={SECRET}-1" in got.read_text()
        assert sent == []  # not through the terminal
        assert any(n.startswith("Copied export lines for prod/Admin with xclip") for n in notes(app))
        assert SECRET not in app.export_screenshot()


async def test_copy_through_the_terminal_says_what_it_cannot_know(home, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    write_sandbox(home)
    app, _, _ = make_app(home)
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        await app.run_action("copy_exports")
        await settle(app, pilot)
        assert sent and "export AWS_ACCESS_KEY_ID=" in sent[0]
        assert not any(n.startswith("Copied") for n in notes(app))
        assert any("OSC 52" in n and "set-clipboard on" in n for n in notes(app))


# --- 15. a held lock never freezes the screen ---------------------------------------------


def lock_path(home) -> str:
    real = Path(os.path.realpath(home.credentials))
    return str(real.parent / f".{real.name}.roleswitch-lock")


async def test_a_clear_waiting_on_the_lock_keeps_the_app_responsive(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        tl = app.query_one(TargetList)
        with exclusive_lock(lock_path(home), 1):  # another program holds the credentials lock
            await app.run_action("clear_session")
            await pilot.pause()
            started = time.monotonic()
            await pilot.press("y")
            await pilot.press(*"stag")
            assert time.monotonic() - started < 2
            assert tl.filter_text == "stag" and tl.match_count == 2  # typing still filters
            assert "[default]" in home.credentials.read_text()
        await settle(app, pilot)
        for _ in range(200):
            if app.session is None:
                break
            await pilot.pause(0.02)
        assert app.session is None and home.credentials.read_text() == CREDENTIALS


@pytest.mark.parametrize("action", ["toggle_auto_renew", "logout", "sdk_profile"])
async def test_other_file_writes_run_off_the_event_loop(home, action, monkeypatch):
    """Each of these blocks on a file or its lock in the worst case; the loop must not wait."""
    import threading

    write_sandbox(home)
    app, _, _ = make_app(home)
    release = threading.Event()
    loop_threads: list[bool] = []

    def slow(*args, **kwargs):
        loop_threads.append(threading.current_thread() is threading.main_thread())
        release.wait(5)
        return (0, 0) if action == "logout" else None

    if action == "toggle_auto_renew":
        app.services.save_setting = slow
    elif action == "logout":
        app.services.logout = slow
    else:
        app.services.sdk_profiles.add = slow
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        app.has_mfa_sessions = True
        await app.run_action(action)
        await pilot.pause()
        assert time.monotonic() - started < 2
        release.set()
        await settle(app, pilot)
        assert loop_threads == [False]


async def test_keys_typed_while_nothing_has_the_focus_filter_and_enter_assumes_them(home):
    """Between a dialog closing and the focus coming back (or in a repaint that moves it),
    nothing has the focus and keys went to the screen, which dropped them: `prod readonly`
    and Enter filtered `prod` and assumed production/Admin (seen in tmux)."""
    from textual import events

    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await assume_prod_admin(app, pilot)
        app.set_focus(None)
        for key, character in [*((c, c) for c in "stag"), ("space", " "), *((c, c) for c in "dep")]:
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("enter", "\r"))
        await settle(app, pilot)
        assert app.filter_input.value == "stag dep"
        assert [name for name, _code in sts.calls][-1] == "staging/Deploy"
