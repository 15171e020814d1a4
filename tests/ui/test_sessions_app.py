"""Several sessions in the app (issue 15): the strip, the Sessions screen and its keys,
per-session auto-renew, other terminals' changes, production confirmation, assume into a
profile, pins and regions. Pilot tests with a frozen clock, the scripted STS service and
the real credentials file."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from types import MappingProxyType

from textual.command import CommandList
from textual.widgets import Input

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.model import AssumeResult, Credentials, Environment
from roleswitch.core.usage import UsageStore
from roleswitch.ui.screens.confirm import ConfirmScreen
from roleswitch.ui.screens.help import HelpScreen
from roleswitch.ui.screens.profile_prompt import ProfilePrompt
from roleswitch.ui.screens.region_picker import RegionPicker
from roleswitch.ui.screens.sessions import SessionsScreen
from roleswitch.ui.widgets.session_bar import SessionBar
from roleswitch.ui.widgets.session_strip import SessionStrip
from roleswitch.ui.widgets.target_list import TargetList
from tests.ui import test_console_key as console_tests
from tests.ui.helpers import SECRET, TOKEN, TOML, make_app, notes, settle, write_sandbox
from tests.ui.screen_reading import screen_lines

SIZE = (100, 30)
stand_in, browser = console_tests.stand_in, console_tests.browser  # the console tests' fixtures
PRODUCTION = Environment("production", "#cc0000", True)
STAGING = Environment("staging", "#2e7d32", False)
AUTO_TOML = TOML.replace('renew_margin = "10m"', 'renew_margin = "10m"\nauto_renew = true')


def with_environments(load, *, profiles: dict[str, str] | None = None):
    """The sandbox's catalogue with prod/* in a confirm-gated production and staging/* in
    staging (and `profiles`: target -> profile), as `[environments]` in the TOML gives."""
    profiles = profiles or {}

    def loaded():
        catalogue = load()
        targets = []
        for target in catalogue.targets:
            environment = {"111111111111": "production", "222222222222": "staging", "333333333333": "qa"}.get(
                target.account_id
            )  # qa: named, not configured
            targets.append(
                dataclasses.replace(
                    target, environment=environment, profile=profiles.get(target.name, target.profile)
                )
            )
        settings = dataclasses.replace(
            catalogue.settings,
            environments=MappingProxyType({"production": PRODUCTION, "staging": STAGING}),
        )
        return dataclasses.replace(catalogue, targets=tuple(targets), settings=settings)

    return loaded


def make(home, *, toml: str = TOML, profiles: dict[str, str] | None = None, usage: bool = False):
    write_sandbox(home, toml=toml)
    app, sts, clock = make_app(home)
    app.services.load_catalogue = with_environments(load_catalogue, profiles=profiles)
    if usage:
        app.services.usage = UsageStore()
    return app, sts, clock


def key(name: str) -> str:
    """The access key id `put_session` gives a session named `name`."""
    return f"ASIA{name:0>16}"


def put_session(clock, profile: str, name: str, left: float, tag: str) -> None:
    """What another terminal's roleswitch writes: `name`'s session in [profile], `left` seconds to go."""
    target = load_catalogue().find(name)
    assert target is not None
    result = AssumeResult(
        target=target,
        credentials=Credentials(
            key(tag), f"{SECRET}-{tag}", f"{TOKEN}-{tag}", clock.now() + timedelta(seconds=left)
        ),
        assumed_arn=f"arn:aws:sts::{target.account_id}:assumed-role/{target.role_name}/bob",
        region=target.region or "us-east-1",
    )
    CredentialsFile().write(profile, result)


def key_of(profile: str) -> str | None:
    session = CredentialsFile().read_active(profile)
    return session.access_key_id if session else None


async def others_read(app, pilot) -> None:
    """Wait until the app has read the other sessions: once it has settled after the first
    frame (about 0.3 s), as the app reads them at start."""
    for _ in range(100):
        if app.others_read:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def strip_text(app) -> str:
    return str(app.query_one(SessionStrip).render())


async def three_sessions(home, clock) -> None:
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    put_session(clock, "dev", "staging/Deploy", 40 * 60, "DEV1")
    put_session(clock, "ops", "legacy-admin", 5 * 60, "OPS1")


async def test_three_live_sessions_in_the_strip_the_rows_and_the_sessions_screen(home):
    app, _, clock = make(home)
    await three_sessions(home, clock)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        assert app.session.target_name == "staging/ReadOnly"
        assert list(app.others) == ["dev", "ops"]
        strip = app.query_one(SessionStrip)
        assert strip.display
        text = strip_text(app)
        assert "[dev] staging/Deploy 40m" in text and "[ops] legacy-admin 5m" in text, text
        assert " staging " in text  # its environment, named
        lines = screen_lines(app)
        assert "[dev] staging/Deploy" in lines[1]  # right under the top bar
        statuses = app.targets._statuses
        assert statuses["staging/Deploy"].text == "40m [dev]"
        assert statuses["legacy-admin"].style == "warning"
        await pilot.press("ctrl+t")
        screen = app.screen
        assert isinstance(screen, SessionsScreen)
        table = screen.table
        assert table.row_count == 3
        assert [row.profile for row in screen._shown] == ["default", "dev", "ops"]
        assert str(table.get_cell("ops", "left")) == "5m 00s"
        clock.advance(61)
        app.tick()
        await pilot.pause()
        assert str(table.get_cell("ops", "left")) == "3m 59s"  # live
        assert str(table.get_cell("default", "environment")).strip() == "staging"
        text = "\n".join(screen_lines(app))
        assert SECRET not in text and TOKEN not in text
        await pilot.press("escape")
        assert not isinstance(app.screen, SessionsScreen)


async def test_no_strip_with_only_the_active_profile(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=SIZE):
        assert not app.query_one(SessionStrip).display
        assert "Type to filter" in screen_lines(app)[2]  # the filter keeps its usual place


async def test_sessions_screen_renews_clears_and_makes_default(home):
    app, sts, clock = make(home)
    await three_sessions(home, clock)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+t")
        await pilot.press("down")  # [dev]
        assert app.screen.selected_profile == "dev"
        await pilot.press("r")
        await settle(app, pilot)
        assert sts.calls == [("staging/Deploy", None)]
        assert key_of("dev") == "ASIATESTKEY000000001" == app.others["dev"].access_key_id
        assert key_of("default") == key("DEFAULT1")  # the others untouched
        clock.advance(1)
        app.tick()  # our own write is not another program's
        await pilot.pause()
        assert not any("Another program" in n for n in notes(app))

        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # No is the default
        await settle(app, pilot)
        assert key_of("dev") is not None
        await pilot.press("d", "y")
        await settle(app, pilot)
        assert key_of("dev") is None and "dev" not in app.others
        assert isinstance(app.screen, SessionsScreen) and app.screen.table.row_count == 2

        await pilot.press("down")  # [ops]
        assert app.screen.selected_profile == "ops"
        await pilot.press("m")
        await settle(app, pilot)
        assert key_of("default") == key("OPS1") == app.session.access_key_id
        assert app.session.target_name == "legacy-admin"
        assert key_of("ops") == key("OPS1")  # the copy is a session of its own
        app.tick()
        await pilot.pause()
        assert not any("Another program" in n for n in notes(app))


async def test_each_session_auto_renews_on_its_own_one_sts_call_at_a_time(home):
    app, sts, clock = make(home, toml=AUTO_TOML)
    await three_sessions(home, clock)  # default calm; ops inside its margin
    put_session(clock, "dev", "staging/Deploy", 4 * 60, "DEV1")  # inside too
    sts.gate = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        app.tick()
        await pilot.pause()
        assert len(sts.calls) == 1  # one at a time: the second waits in the queue
        assert app.renew_queue
        sts.gate.set()
        await settle(app, pilot)
        await settle(app, pilot)
        assert sorted(name for name, _ in sts.calls) == ["legacy-admin", "staging/Deploy"]
        assert key_of("dev").startswith("ASIATESTKEY") and key_of("ops").startswith("ASIATESTKEY")
        assert key_of("default") == key("DEFAULT1")  # calm: not renewed
        assert app.session_problems == {}
        app.tick()
        await pilot.pause()
        assert len(sts.calls) == 2  # once per expiry


async def test_each_failed_auto_renewal_keeps_its_own_note(home):
    from roleswitch.core.errors import AssumeError

    app, sts, clock = make(home, toml=AUTO_TOML)
    await three_sessions(home, clock)
    put_session(clock, "dev", "staging/Deploy", 4 * 60, "DEV1")
    sts.fail_with = AssumeError("Access denied.")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        app.tick()
        await settle(app, pilot)
        await settle(app, pilot)
        assert set(app.session_problems) == {"dev", "ops"}
        assert app.renew_problem is None  # the active one's note is its own
        assert "renew failed" in strip_text(app)
        assert any("Auto-renew of [dev] failed" in str(n.title) for n in app._notifications)
        assert key_of("dev") == key("DEV1")  # nothing written


async def test_another_terminal_changing_a_non_active_session_is_followed_and_said(home):
    app, _, clock = make(home)
    await three_sessions(home, clock)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        put_session(clock, "dev", "staging/ReadOnly", 30 * 60, "OTHER1")
        app.tick()
        await pilot.pause()
        assert app.others["dev"].target_name == "staging/ReadOnly"
        assert any("Another program changed [dev]: staging/ReadOnly is in it now." in n for n in notes(app))
        put_session(clock, "new", "staging/Deploy", 30 * 60, "OTHER2")
        app.tick()
        await pilot.pause()
        assert "new" in app.others
        assert any("Another program assumed staging/Deploy into [new]." in n for n in notes(app))
        put_session(clock, "new", "staging/Deploy", 60 * 60, "OTHER3")
        app.tick()
        await pilot.pause()
        assert any("Another program renewed staging/Deploy in [new]." in n for n in notes(app))
        CredentialsFile().clear("ops")
        app.tick()
        await pilot.pause()
        assert "ops" not in app.others
        assert any("Another program removed [ops]." in n for n in notes(app))
        assert "legacy-admin" not in app.targets._statuses
        assert app.session.target_name == "staging/ReadOnly"  # the active one untouched


async def test_a_renewal_of_a_non_active_session_never_overwrites_another_terminals(home):
    app, sts, clock = make(home)
    await three_sessions(home, clock)
    sts.gate = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        app.renew_profile("dev")
        await pilot.pause()
        for _ in range(200):
            if sts.calls:
                break
            await pilot.pause(0.01)
        put_session(clock, "dev", "staging/Deploy", 30 * 60, "OTHER1")  # meanwhile
        sts.gate.set()
        await settle(app, pilot)
        assert key_of("dev") == key("OTHER1")
        assert app.others["dev"].access_key_id == key("OTHER1")
        assert any("Did not renew staging/Deploy" in n and "[dev]" in n for n in notes(app))


async def test_a_confirm_gated_target_asks_before_assume_and_renew(home):
    app, sts, _ = make(home)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        assert app.targets.highlighted.name == "prod/Admin"
        await pilot.press("enter")
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.label == "production"
        await pilot.press("n")
        await settle(app, pilot)
        assert sts.calls == [] and key_of("default") is None
        await pilot.press("enter")
        await pilot.press("enter")  # No has the focus: a stray Enter assumes nothing
        await settle(app, pilot)
        assert sts.calls == []
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ConfirmScreen)  # renew asks too
        await pilot.press("y")
        await settle(app, pilot)
        assert len(sts.calls) == 2
        bar = str(app.query_one(SessionBar).render())
        assert "PRODUCTION" in bar and "prod/Admin" in bar
        assert app.query_one(SessionBar).styles.background.a > 0


async def test_a_yes_at_assume_counts_for_that_sessions_auto_renewals(home):
    app, sts, clock = make(home, toml=AUTO_TOML)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press("enter", "y")
        await settle(app, pilot)
        assert len(sts.calls) == 1
        clock.advance(3100)  # inside the renew margin
        app.tick()
        await settle(app, pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(sts.calls) == 2


async def test_enter_on_a_target_with_a_profile_writes_that_profile(home):
    app, sts, _ = make(home, profiles={"staging/ReadOnly": "ro"})
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg read", "enter")
        await settle(app, pilot)
        assert sts.calls == [("staging/ReadOnly", None)]
        assert key_of("ro") is not None and key_of("default") is None
        assert app.session is None and list(app.others) == ["ro"]
        assert any("into [ro]" in n for n in notes(app))
        assert "[ro] staging/ReadOnly" in strip_text(app)


async def test_ctrl_y_assumes_into_a_named_profile_with_the_clis_refusals(home):
    app, sts, _ = make(home)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg deploy")
        await pilot.press("ctrl+y")
        assert isinstance(app.screen, ProfilePrompt)
        name = app.screen.name_input
        name.value = "corp"  # the role's own source profile, with long-term keys
        for _ in range(60):
            await pilot.pause(0.02)
            if app.screen.checked and app.screen.checked[0] == "corp":
                break
        refusal = app.screen.checked[1] or ""
        assert "source profile is 'corp'" in refusal and refusal.endswith("type another name."), refusal
        assert "--profile" not in refusal  # the command line's advice is not this dialog's
        await pilot.press("enter")
        assert isinstance(app.screen, ProfilePrompt)  # refused: still asking
        name.value = "deploy"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, ProfilePrompt)
        assert sts.calls == [("staging/Deploy", None)]
        assert key_of("deploy") is not None and key_of("default") is None


async def test_ctrl_y_can_remember_the_profile_in_the_toml(home):
    from roleswitch.core.settings_store import remember_profile

    app, sts, _ = make(home)
    app.services.remember_profile = remember_profile
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg deploy")
        await pilot.press("ctrl+y")
        prompt = app.screen
        assert isinstance(prompt, ProfilePrompt)
        prompt.name_input.value = "deploy"
        prompt.query_one("#profile-remember").value = True
        await pilot.press("enter")
        await settle(app, pilot)
        assert key_of("deploy") is not None
        toml = home.toml.read_text()
        assert 'profile = "deploy"' in toml and toml.replace('profile = "deploy"\n', "") == TOML
        assert app.catalogue.find("staging/Deploy").profile == "deploy"
        await pilot.press("escape", "escape")
        assert app.targets.highlight("staging/Deploy")
        await pilot.press("enter")  # Enter on it now goes to [deploy]
        await settle(app, pilot)
        assert [name for name, _ in sts.calls] == ["staging/Deploy", "staging/Deploy"]
        assert key_of("default") is None and app.session is None


async def test_ctrl_f_pins_and_unpins_the_highlighted_target(home):
    app, _, _ = make(home, usage=True)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg deploy", "escape")
        assert app.targets.highlighted.name == "staging/Deploy"
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert UsageStore().load().is_pinned("staging/Deploy")
        assert any("Pinned staging/Deploy" in n for n in notes(app))
        await pilot.press("escape")  # no filter: the pinned group comes first
        assert "Deploy" in screen_lines(app)[5], screen_lines(app)[4:7]
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert not UsageStore().load().is_pinned("staging/Deploy")


async def test_a_pin_that_cannot_be_saved_says_why_and_changes_nothing(home):
    """The state folder is a file (or not the person's): one sentence, the app goes on."""
    app, _, _ = make(home, usage=True)
    home.state.parent.mkdir(parents=True, exist_ok=True)
    home.state.write_text("not a folder\n")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg deploy", "escape", "ctrl+f")
        await settle(app, pilot)
        said = [n for n in notes(app) if "state folder" in n]
        assert said and "is not a folder" in said[0] and "\n" not in said[0], notes(app)
        assert not any("Pinned" in n for n in notes(app))
        await pilot.press(*"prod")  # still filtering: nothing stopped
        assert app.filter_input.value == "prod"
    assert home.state.read_text() == "not a folder\n"


async def test_every_assume_is_recorded_as_a_use(home):
    app, _, _ = make(home, usage=True)
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)
        await pilot.press(*"stg deploy", "enter")
        await settle(app, pilot)
        await settle(app, pilot)
        assert "staging/Deploy" in UsageStore().load().recent()


async def test_ctrl_g_picks_the_region_and_a_renewal_keeps_it(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=(140, 30)) as pilot:
        await others_read(app, pilot)
        await pilot.press("ctrl+g")
        await settle(app, pilot)
        assert isinstance(app.screen, RegionPicker)
        assert "ap-southeast-2" in app.screen.regions and "cn-north-1" not in app.screen.regions
        await pilot.press(*"eu-west-2", "enter")
        await settle(app, pilot)
        assert CredentialsFile().read_active("default").region == "eu-west-2"
        assert app.session.region == "eu-west-2"
        app.tick()
        assert "eu-west-2" in str(app.query_one(SessionBar).render())
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        renewed = CredentialsFile().read_active("default")
        assert renewed.access_key_id.startswith("ASIATESTKEY") and renewed.region == "eu-west-2"
        assert not any("Another program" in n for n in notes(app))


async def test_the_palette_has_sessions_region_pin_and_assume_into(home):
    from roleswitch.ui.commands import ASSUME, ASSUME_INTO, PIN, split_verb

    assert split_verb(("assume", "into", "prod"))[1] == ASSUME_INTO
    assert split_verb(("assume", "prod"))[1] == ASSUME
    assert split_verb(("pin", "prod"))[1] == PIN
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=SIZE) as pilot:
        await others_read(app, pilot)

        async def run(query: str) -> None:
            await pilot.press("ctrl+p")
            app.screen.query_one(Input).value = query
            for _ in range(50):  # the entries come from a search task
                await pilot.pause(0.02)
                if app.screen.query_one(CommandList).option_count:
                    break
            await pilot.press("enter")
            await pilot.pause()

        await run("sessions")
        assert isinstance(app.screen, SessionsScreen)
        await pilot.press("escape")
        await run("assume into stg deploy")
        assert isinstance(app.screen, ProfilePrompt) and app.screen.target_name == "staging/Deploy"


async def test_help_names_the_new_keys(home):
    app, _, _ = make(home)
    async with app.run_test(size=(100, 60)) as pilot:
        await others_read(app, pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        for key in ("ctrl+t", "ctrl+f", "ctrl+y", "ctrl+g"):
            assert key in text, key


async def test_the_strip_costs_the_list_no_row_at_80x24(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=(80, 24)):
        alone = app.query_one(TargetList).region.height
    await three_sessions(home, clock)
    app, _, _ = make_app(home, clock=clock)
    app.services.load_catalogue = with_environments(load_catalogue)
    async with app.run_test(size=(80, 24)) as pilot:
        await others_read(app, pilot)
        assert app.query_one(SessionStrip).display
        assert app.query_one(TargetList).region.height == alone


async def test_the_strip_says_how_many_more_when_it_runs_short(home):
    app, _, clock = make(home)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    for n in range(6):
        put_session(clock, f"profile-number-{n}", "staging/Deploy", (30 + n) * 60, f"P{n}")
    async with app.run_test(size=(80, 24)) as pilot:
        await others_read(app, pilot)
        line = screen_lines(app)[1]
        assert "[profile-number-0] staging/Deploy 30m" in line, line
        assert line.rstrip().endswith("more (ctrl+t)"), line
        shown = line.count("[profile-number-")
        assert f"+{6 - shown} more" in line and 0 < shown < 6, line


async def test_the_top_bar_names_an_environment_with_a_colour_only(home):
    app, _, clock = make(home)
    put_session(clock, "default", "legacy-admin", 50 * 60, "DEFAULT1")  # qa: no colour, no question
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bar = str(app.query_one(SessionBar).render())
        assert "legacy-admin" in bar and "QA" not in bar, bar
        put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT2")
        app.tick()
        await pilot.pause()
        bar = str(app.query_one(SessionBar).render())
        assert "STAGING" in bar, bar


async def test_the_key_bar_names_the_new_keys_when_it_has_room(home):
    app, _, clock = make(home, usage=True)
    put_session(clock, "default", "staging/ReadOnly", 50 * 60, "DEFAULT1")
    async with app.run_test(size=(150, 30)) as pilot:
        await pilot.pause()
        line = screen_lines(app)[-1]
        for said in ("^t Sessions", "^f Pin", "^y Into", "^g Region"):
            assert said in line, (said, line)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        line = screen_lines(app)[-1]
        assert "^t Sessions" in line and "^y" not in line, line  # the keys it must name keep their room


async def test_b_on_the_sessions_screen_opens_the_console_with_that_sessions_credentials(
    home, stand_in, browser
):
    from roleswitch.core.console import ConsoleOpener

    toml, record = browser
    app, sts, clock = make(home, toml=toml)
    app.services.console = ConsoleOpener
    await three_sessions(home, clock)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+t", "down", "b")  # [dev]
        await settle(app, pilot)
        argv = console_tests.recorded(record)
        assert any("signin" in arg or "federation" in arg.lower() for arg in argv), argv
        assert sts.calls == []  # the session's own credentials sign in: no new role session
        assert key_of("dev") == key("DEV1")  # nothing written


async def test_ctrl_o_on_a_confirm_gated_target_asks_and_writes_yes_into_the_command(home):
    app, _, _ = make(home)
    config = home.config
    before = config.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.targets.highlighted.name == "prod/Admin"
        await pilot.press("ctrl+o")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.label == "production"
        await pilot.press("n")
        await settle(app, pilot)
        assert config.read_bytes() == before  # no: nothing written
        await pilot.press("ctrl+o", "y")
        await settle(app, pilot)
    written = config.read_text()
    assert "credential-process prod/Admin --yes\n" in written, written


async def test_ctrl_b_on_a_confirm_gated_target_asks_before_assuming_it_for_the_console(
    home, stand_in, browser
):
    from roleswitch.core.console import ConsoleOpener

    toml, record = browser
    app, sts, _ = make(home, toml=toml)
    app.services.console = ConsoleOpener
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.targets.highlighted.name == "prod/Admin"
        await pilot.press("ctrl+b")
        assert isinstance(app.screen, ConfirmScreen) and app.screen.label == "production"
        await pilot.press("n")
        await settle(app, pilot)
        assert sts.calls == []
        assert not record.exists()  # no browser opened
        await pilot.press("ctrl+b", "y")
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]
        assert console_tests.recorded(record)
