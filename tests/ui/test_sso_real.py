"""ctrl+n against the local Identity Center, with the app's real services and the core login.

The dialog shows the code the server handed out; the test approves it as a person
would (center.approve); the token cache is written as the AWS CLI writes it, the
accounts are discovered and listed, and the access token never reaches the screen.
"""

from __future__ import annotations

import json
import time

import pytest

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.token_cache import TokenCache
from roleswitch.ui.app import RoleswitchApp
from roleswitch.ui.launch import real_services
from roleswitch.ui.screens.sso_login import SsoLoginScreen
from tests.local.conftest import center, sso_profile  # noqa: F401  (fixtures)
from tests.ui.helpers import notes, settle
from tests.ui.screen_reading import screen_lines
from tests.ui.test_sso_login import code_shown, dialog_gone, started


@pytest.fixture(autouse=True)
def quick_close(monkeypatch):
    monkeypatch.setattr(SsoLoginScreen, "CLOSE_AFTER", 0.01)


@pytest.fixture
def clock():
    """The server's clock is the real one here: the login really waits its interval, so a
    clock that stood still would answer every poll with SlowDown."""
    return time.time


class Watched:
    """The statuses of the real service, counted, so the test knows when they were read."""

    def __init__(self, service) -> None:
        self.service = service
        self.approve_device = service.approve_device
        self.statuses_read = 0

    def statuses(self):
        self.statuses_read += 1
        return self.service.statuses()

    def sign_in(self, *args):
        return self.service.sign_in(*args)

    def discover(self, *args):
        return self.service.discover(*args)


async def test_sign_in_with_the_real_login_then_discover_and_list(home, center, sso_profile):  # noqa: F811
    services = real_services()
    services.sso = watched = Watched(services.sso)
    app = RoleswitchApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot, watched)
        assert app.check_action("sso_sign_in", ()) is True
        await pilot.press("ctrl+n")
        screen = await code_shown(app, pilot)
        user_code = screen.code.user_code
        assert center.pending_user_codes() == [user_code]
        assert any(" ".join(user_code) in line for line in screen_lines(app))
        center.approve(user_code)
        await dialog_gone(app, pilot)
        await settle(app, pilot)

        token = TokenCache(sso_profile).load(load_sso_config().find("corp"))
        assert token is not None and center.token_is_valid(token.access_token)
        said = " ".join(notes(app))
        assert "Signed in to corp until" in said and "corp: 5 accounts, 11 roles found." in said, said
        assert app.catalogue.find("corp/Production/AdministratorAccess") is not None
        screen_text = "\n".join(screen_lines(app))
        assert token.access_token not in screen_text and token.access_token not in said
        assert token.refresh_token is None or token.refresh_token not in screen_text
        cache_file = sso_profile / next(p.name for p in sso_profile.iterdir())
        assert (cache_file.stat().st_mode & 0o777) == 0o600
        assert json.loads(cache_file.read_text())["startUrl"] == center.start_url


async def test_escape_stops_polling_the_real_service_at_once(home, center, sso_profile):  # noqa: F811
    center.interval = 1
    services = real_services()
    services.sso = watched = Watched(services.sso)
    app = RoleswitchApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, watched)
        await pilot.press("ctrl+n")
        await code_shown(app, pilot)
        await pilot.press("escape")
        await dialog_gone(app, pilot)
        polls = center.calls["CreateToken"]
        time.sleep(1.5)  # more than the interval: a poll would have come
        assert center.calls["CreateToken"] == polls
        assert not any(w.is_running for w in app.workers)
        assert notes(app)[-1] == "Sign-in cancelled; nothing was written."
        assert not list(sso_profile.glob("*.json"))  # nothing was written


async def test_an_unreachable_identity_center_is_one_sentence(home, center, sso_profile, monkeypatch):  # noqa: F811
    import socket

    with socket.socket() as probe:  # a port nothing listens on: connections are refused at once
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", closed)
    services = real_services()
    services.sso = watched = Watched(services.sso)
    app = RoleswitchApp(services)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(app, pilot, watched)
        await pilot.press("ctrl+n")
        await dialog_gone(app, pilot)
        await settle(app, pilot)
        said = notes(app)
        assert len(said) == 1 and said[0].endswith(".") and "Traceback" not in said[0], said
        assert "reach" in said[0].lower() or "connect" in said[0].lower(), said
        assert not list(sso_profile.glob("*.json"))
