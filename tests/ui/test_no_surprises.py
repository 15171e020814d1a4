"""The app never surprises (issue 15's newcomer findings): a clear removes only the session
it asked about, auto-renew never pops a question nobody asked for, its notes say what they
mean, and the Sessions screen and the strip show the urgent and keep their place. Pilot
tests with a frozen clock, the scripted STS service and the real credentials file."""

from __future__ import annotations

from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.ui.screens.confirm import ConfirmScreen
from roleswitch.ui.screens.sessions import SessionsScreen
from roleswitch.ui.widgets.session_bar import SessionBar
from tests.ui.helpers import notes, settle
from tests.ui.screen_reading import screen_lines
from tests.ui.test_sessions_app import (
    AUTO_TOML,
    SIZE,
    key,
    key_of,
    make,
    others_read,
    put_session,
    strip_text,
    three_sessions,
)

WAITS = "waits for your yes: "


def bar_text(app) -> str:
    return str(app.query_one(SessionBar).render())


async def test_a_clear_never_removes_a_session_another_terminal_wrote_meanwhile(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "staging/ReadOnly" in app.screen.question
        put_session(clock, "default", "staging/Deploy", 50 * 60, "DEFAULT2")  # another terminal
        await pilot.press("y")
        await settle(app, pilot)
        assert key_of("default") == key("DEFAULT2")  # theirs stays
        assert any(
            "Another program changed [default]" in n and "nothing was removed" in n for n in notes(app)
        )
        app.tick()
        await pilot.pause()
        assert app.session is not None and app.session.access_key_id == key("DEFAULT2")
        await pilot.press("ctrl+d", "y")  # asked about theirs now: removed
        await settle(app, pilot)
        assert key_of("default") is None


async def test_auto_renew_never_asks_unprompted_and_a_typed_y_answers_nothing(home):
    app, sts, clock = make(home, toml=AUTO_TOML)
    put_session(clock, "default", "prod/Admin", 5 * 60, "DEFAULT1")  # assumed elsewhere
    put_session(clock, "prod", "prod/Admin", 4 * 60, "PROD1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        app.tick()
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sts.calls == []
        waiting = [n for n in notes(app) if WAITS in n]
        assert len(waiting) == 2, notes(app)  # one for each session, with its own keys
        assert any("[default]" in n and "ctrl+r (r in Sessions)" in n for n in waiting), waiting
        assert any("[prod]" in n and "r in Sessions (ctrl+t)" in n for n in waiting), waiting
        assert "waits for your yes: ctrl+r" in bar_text(app)
        assert "[prod] prod/Admin 4m waits for yes" in strip_text(app)
        await pilot.press("y", "n")  # typing: a search, never an answer
        await settle(app, pilot)
        assert app.filter_input.value == "yn" and sts.calls == []
        clock.advance(5)
        app.tick()
        await settle(app, pilot)
        assert len([n for n in notes(app) if WAITS in n]) == 2  # said once
        assert not any("press ctrl+r to renew" in n for n in notes(app))  # and no second warning
        await pilot.press("escape", "escape", "ctrl+t")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        assert str(screen.table.get_cell("prod", "auto")) == "needs yes"
        await pilot.press("down", "r")  # [prod]: asks, a yes renews it and counts from now on
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]
        assert str(screen.table.get_cell("prod", "auto")) == "on"
        clock.advance(3100)  # [prod]'s new session in its margin: renewed without a question
        app.tick()
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sts.calls[-1] == ("prod/Admin", None) and len(sts.calls) == 2
        assert key_of("default") == key("DEFAULT1")  # still waiting for its yes


async def test_ctrl_a_asks_once_for_the_confirm_gated_sessions_and_a_yes_counts(home):
    app, sts, clock = make(home)
    put_session(clock, "default", "prod/Admin", 50 * 60, "DEFAULT1")
    put_session(clock, "prod", "prod/Admin", 40 * 60, "PROD1")
    put_session(clock, "dev", "staging/Deploy", 30 * 60, "DEV1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "[default]" in question and "[prod]" in question and "[dev]" not in question
        await pilot.press("y")
        await settle(app, pilot)
        assert app.auto_renew
        clock.advance(45 * 60)  # every session inside its margin
        app.tick()
        await settle(app, pilot)
        await settle(app, pilot)
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert sorted(name for name, _ in sts.calls) == ["prod/Admin", "prod/Admin", "staging/Deploy"]


async def test_a_no_at_ctrl_a_shows_declined_not_failed_and_off_clears_it(home):
    app, sts, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    put_session(clock, "prod", "prod/Admin", 4 * 60, "PROD1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+a")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # No is the default
        await settle(app, pilot)
        assert app.auto_renew
        app.tick()
        await settle(app, pilot)
        assert sts.calls == []
        assert "declined" in strip_text(app) and "renew failed" not in strip_text(app)
        await pilot.press("ctrl+t")
        screen = app.screen
        assert str(screen.table.get_cell("prod", "auto")) == "declined"
        assert str(screen.table.get_cell("default", "auto")) == "on"
        await pilot.press("escape", "ctrl+a")  # off: no question, and the notes go
        await settle(app, pilot)
        assert not app.auto_renew
        app.tick()
        await pilot.pause()
        assert "declined" not in strip_text(app) and "waits" not in strip_text(app)


async def test_a_cancelled_assume_says_it_was_not_assumed(home):
    app, _, _ = make(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.targets.highlighted.name == "prod/Admin"
        await pilot.press("enter", "n")
        await settle(app, pilot)
        assert any("prod/Admin was not assumed; nothing was written." in n for n in notes(app)), notes(app)


async def test_resizing_under_the_sessions_screen_reaches_the_main_screen(home):
    app, _, clock = make(home)
    await three_sessions(home, clock)
    async with app.run_test(size=(130, 30)) as pilot:
        await others_read(app, pilot)
        main = app.screen
        assert not main.has_class("-narrow")
        await pilot.press("ctrl+t")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main and main.has_class("-narrow")


async def test_the_strip_puts_the_most_urgent_first(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    for n in range(5):
        put_session(clock, f"calm-profile-{n}", "staging/Deploy", (30 + n) * 60, f"P{n}")
    put_session(clock, "ops", "legacy-admin", 5 * 60, "OPS1")  # warning
    put_session(clock, "gone", "staging/ReadOnly", -60, "GONE1")  # expired
    async with app.run_test(size=(80, 24)) as pilot:
        await others_read(app, pilot)
        assert [entry.profile for entry in app.strip.entries][:3] == ["gone", "ops", "calm-profile-0"]
        line = screen_lines(app)[1]
        assert "[gone] staging/ReadOnly expired" in line and "more (ctrl+t)" in line, line


async def test_a_remembered_profile_refusal_names_the_targets_profile_and_ctrl_y(home):
    app, sts, _ = make(home, profiles={"staging/ReadOnly": "mine"})
    path = CredentialsFile().path
    path.write_text(path.read_text() + "[mine]\naws_access_key_id = AKIAEXAMPLEMINE00001\n")  # not ours
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.assume_by_name("staging/ReadOnly")
        await settle(app, pilot)
        said = [n for n in notes(app) if "[mine]" in n]
        assert said and 'staging/ReadOnly goes there because of its profile = "mine"' in said[-1], notes(app)
        assert "ctrl+y" in said[-1] and "--profile" not in said[-1] and "active_profile" not in said[-1]
        assert sts.calls == []


async def test_sessions_screen_home_end_the_highlight_after_d_and_m_on_the_default(home):
    app, _, clock = make(home)
    await three_sessions(home, clock)
    put_session(clock, "zz", "staging/Deploy", 20 * 60, "ZZ1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+t")
        screen = app.screen
        await pilot.press("end")
        assert screen.selected_profile == "zz"
        await pilot.press("home")
        assert screen.selected_profile == "default"
        await pilot.press("m")
        await settle(app, pilot)
        assert any("[default] already holds this session" in n for n in notes(app)), notes(app)
        await pilot.press("down", "down")  # [ops]
        assert screen.selected_profile == "ops"
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert key_of("ops") is None
        assert screen.selected_profile == "zz"  # the row that took its place, not the first


async def test_the_sessions_table_fits_80_columns(home):
    app, _, clock = make(home, toml=AUTO_TOML)
    put_session(clock, "default", "prod/Admin", 50 * 60, "DEFAULT1")
    put_session(clock, "dev", "staging/Deploy", 40 * 60, "DEV1")
    put_session(clock, "breakglass", "prod/BreakGlass", 40 * 60, "PROD1")  # 78 columns wide
    async with app.run_test(size=(80, 24)) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert "Auto" in text and "needs yes" in text, text
        assert app.screen.table.max_scroll_x == 0, text


async def test_a_yes_still_counts_when_another_terminal_renews_the_active_session(home):
    app, sts, clock = make(home, toml=AUTO_TOML)
    put_session(clock, "default", "prod/Admin", 50 * 60, "DEFAULT1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        assert app.held_back(app.session) == "waits for yes"
        await pilot.press("ctrl+r", "y")
        await settle(app, pilot)
        assert len(sts.calls) == 1 and app.held_back(app.session) == ""
        put_session(clock, "default", "prod/Admin", 60 * 60, "DEFAULT2")  # renewed elsewhere
        clock.advance(1)
        app.tick()
        await pilot.pause()
        assert app.session.access_key_id == key("DEFAULT2")
        assert app.held_back(app.session) == ""
        put_session(clock, "default", "staging/Deploy", 60 * 60, "DEFAULT3")  # something else
        app.tick()
        await pilot.pause()
        put_session(clock, "default", "prod/Admin", 60 * 60, "DEFAULT4")  # and back: asked again
        app.tick()
        await pilot.pause()
        assert app.held_back(app.session) == "waits for yes"
