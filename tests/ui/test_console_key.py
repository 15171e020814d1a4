"""ctrl+b opens the AWS console: Pilot tests with the real console opener, the project's
local federation endpoint and a recording browser command (a script writing its argv)."""

from __future__ import annotations

import json
import shlex
import sys
import time
import urllib.parse
import urllib.request

import pytest

from roleswitch.core.aws import federation
from roleswitch.core.console import ConsoleOpener
from roleswitch.local.federation import FederationStandIn
from roleswitch.ui.screens.mfa import MfaScreen
from tests.ui.helpers import CREDENTIALS, SECRET, TOKEN, TOML, make_app, notes, settle, write_sandbox
from tests.ui.screen_reading import screen_lines

SIZE = (100, 30)


@pytest.fixture
def stand_in(monkeypatch):
    server = FederationStandIn().start()  # no STS to check with: the scripted STS's keys sign in
    monkeypatch.setenv(federation.ENDPOINT_VARIABLE, server.endpoint)
    yield server
    server.stop()


@pytest.fixture
def browser(tmp_path):
    """The TOML with a recording browser command; returns (toml, path of the recorded argv)."""
    record = tmp_path / "argv.json"
    script = tmp_path / "record_browser.py"
    script.write_text(
        "import json, os, sys\n"
        f"open({str(record)!r} + '.part', 'w').write(json.dumps(sys.argv[1:]))\n"
        f"os.replace({str(record)!r} + '.part', {str(record)!r})\n"
    )
    template = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{container}} {{url}}"
    toml = TOML.replace("[settings]\n", f"[settings]\nbrowser = {json.dumps(template)}\n", 1)
    return toml, record


def recorded(record) -> list[str]:
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return json.loads(record.read_text())


def console_app(home):
    app, sts, _clock = make_app(home)
    app.services.console = ConsoleOpener
    return app, sts


def signed_in_key(stand_in) -> str:
    (query,) = [q for q in stand_in.requests if q.get("Action") == "getSigninToken"]
    return json.loads(query["Session"])["sessionId"]


async def test_ctrl_b_assumes_the_highlighted_role_for_the_console_only(home, stand_in, browser):
    toml, record = browser
    write_sandbox(home, toml=toml)
    app, sts = console_app(home)
    async with app.run_test(size=SIZE) as pilot:
        assert app.targets.highlighted.name == "prod/Admin"
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        container, url = recorded(record)
        assert container == "prod/Admin"
        assert url.startswith(stand_in.endpoint + "?Action=login&")
        assert sts.calls == [("prod/Admin", None)]
        assert signed_in_key(stand_in).startswith("ASIATESTKEY")
        assert home.credentials.read_text() == CREDENTIALS  # nothing written: no active session
        assert app.session is None
        said = notes(app)[-1]
        assert said.startswith("Opened the console as prod/Admin (eu-west-1) with ")
        shown = "\n".join(screen_lines(app)) + "\n".join(notes(app))
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["SigninToken"][0]
        for secret in (token, SECRET, TOKEN, "Action=login"):
            assert secret not in shown
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert "AWS console (local stand-in)" in page


async def test_ctrl_b_asks_for_the_mfa_code_of_an_mfa_role_first(home, stand_in, browser):
    toml, record = browser
    write_sandbox(home, toml=toml)
    app, sts = console_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"breakglass", "ctrl+b")
        await pilot.pause()
        assert isinstance(app.screen, MfaScreen) and sts.calls == []
        await pilot.press(*"123456", "enter")
        await settle(app, pilot)
        assert sts.calls == [("prod/BreakGlass", "123456")]
        assert recorded(record)[0] == "prod/BreakGlass"


async def test_ctrl_b_on_the_active_role_signs_in_with_its_session(home, stand_in, browser):
    toml, record = browser
    write_sandbox(home, toml=toml)
    app, sts = console_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # assume prod/Admin: the active session
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]
        active_key = app.session.access_key_id
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]  # no second STS call
        assert signed_in_key(stand_in) == active_key
        assert recorded(record)[0] == "prod/Admin"


async def test_a_failed_sign_in_is_one_sentence_and_the_key_greys_out_without_a_console(home, monkeypatch):
    write_sandbox(home)
    monkeypatch.setenv(federation.ENDPOINT_VARIABLE, "http://example.com/federation")  # not https
    app, _ = console_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        said = notes(app)[-1]
        assert said.startswith(f"{federation.ENDPOINT_VARIABLE} must be an https:// URL")
        assert "\n" not in said
        app.services.console = None
        assert app.check_action("console", ()) is None


async def test_console_url_copy_hands_the_url_to_the_clipboard_command_only(
    home, stand_in, tmp_path, monkeypatch
):
    clipboard = tmp_path / "clipboard.txt"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wl-copy"  # a recording clipboard command: it keeps its stdin
    fake.write_text(
        f"#!{sys.executable}\nimport sys\nopen({str(clipboard)!r}, 'w').write(sys.stdin.read())\n"
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-test")
    write_sandbox(home)
    app, _ = console_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await settle(app, pilot)
        app.copy_console_url()
        await settle(app, pilot)
        url = clipboard.read_text()
        assert url.startswith(stand_in.endpoint + "?Action=login&")
        said = notes(app)[-1]
        assert said.startswith("Copied the console sign-in URL for prod/Admin with wl-copy")
        assert url not in said and url not in "\n".join(screen_lines(app))
