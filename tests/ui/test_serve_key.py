"""ctrl+s serves the active session to SDKs from the app, against moto's STS server.

A real client (boto3's container provider, and a raw request) reads the server the
app started; the bar shows its port and its count; the token is never on screen.
"""

from __future__ import annotations

import urllib.error
import urllib.request

from roleswitch.ui.app import RoleswitchApp
from roleswitch.ui.launch import real_services
from tests.ui.helpers import notes, settle
from tests.ui.screen_reading import screen_lines, widget_lines


def setup(home, moto) -> None:
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    home.write(
        config="[profile corp]\nregion = eu-west-1\n\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )


async def test_ctrl_s_serves_the_active_session_and_the_bar_counts_requests(home, moto, sts_calls):
    setup(home, moto)
    app = RoleswitchApp(real_services())
    async with app.run_test(size=(120, 30)) as pilot:
        assert app.check_action("serve", ()) is None  # nothing to serve yet: greyed out
        await pilot.press(*"admin", "enter")
        await settle(app, pilot)
        assert app.session is not None
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        running = app.serve_key.running
        assert running is not None, notes(app)
        environment = running._server.environment()
        token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]

        from botocore.credentials import ContainerProvider

        frozen = ContainerProvider(environ=environment).load().get_frozen_credentials()
        assert frozen.access_key.startswith("ASIA")
        request = urllib.request.Request(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            assert error.code == 401
        app.tick()
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert f"serving :{running.port} · 1 request" in widget_lines(app, app.bar)[0]
        said = " ".join(notes(app))
        assert f"port {running.port}" in said
        assert token not in screen and token not in said and frozen.secret_key not in screen

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.serve_key.running is None
        await pilot.pause()
        assert "serving :" not in "\n".join(screen_lines(app))
        try:
            urllib.request.urlopen(request, timeout=2)
            raise AssertionError("the server still answers after ctrl+s stopped it")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"the server still answers ({error.code})") from None
        except (urllib.error.URLError, ConnectionError):
            pass
    # One STS call for the assume, one for the server (its duration differs from nothing
    # cached yet), and none per request.
    assert sts_calls["AssumeRole"] <= 2


async def test_ctrl_s_for_an_mfa_role_without_a_session_says_what_to_do(home, moto):
    setup(home, moto)
    home.config.write_text(home.config.read_text() + "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n")
    app = RoleswitchApp(real_services())
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(*"admin", "enter")
        await pilot.pause()
        await pilot.press(*"123456", "enter")  # the MFA screen: moto takes any code
        await settle(app, pilot)
        assert app.session is not None
        from roleswitch.core.mfa_sessions import forget_cached_credentials

        forget_cached_credentials()  # the MFA session ends (a logout in another terminal)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.serve_key.running is None
        assert any("needs a new MFA code" in n and "roleswitch assume admin" in n for n in notes(app))
