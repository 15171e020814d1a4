"""The app with its real services: moto's STS server, the real StsClient, a subprocess for start-up."""

from __future__ import annotations

import subprocess
import sys

from roleswitch.ui.app import RoleswitchApp
from roleswitch.ui.launch import real_services
from roleswitch.ui.screens.mfa import MfaScreen
from tests.ui.helpers import notes, settle


def real_app() -> RoleswitchApp:
    return RoleswitchApp(real_services())


async def test_real_sts_success_and_access_denied(home, moto):
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    moto.create_role("Auditor", "arn:aws:iam::123456789012:user/someone-else")
    home.write(
        config="[profile corp]\nregion = eu-west-1\n\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n\n"
        "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = corp\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    moto.enforce_auth()
    app = real_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"auditor", "enter")
        await settle(app, pilot)
        assert any(
            n.startswith("Access denied assuming arn:aws:iam::123456789012:role/Auditor") for n in notes(app)
        )
        assert app.session is None and "[default]" not in home.credentials.read_text()
        await pilot.press("escape", "escape")
        await pilot.press("/", *"admin", "enter")
        await settle(app, pilot)
        assert app.session is not None and app.session.target_name == "admin"
        assert app.session.assumed_arn.startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
        assert "roleswitch_target = admin" in home.credentials.read_text()


def test_first_frame_comes_before_boto3_is_imported(home):
    home.write(
        config="[profile corp]\n\n[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\nsource_profile = corp\n"
    )
    code = (
        "import asyncio, sys\n"
        "from roleswitch.ui.launch import real_services\n"
        "from roleswitch.ui.app import RoleswitchApp\n"
        "async def main():\n"
        "    app = RoleswitchApp(real_services())\n"
        "    async with app.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        assert app.targets.total == 1 and 'roleswitch' in app.export_screenshot()\n"
        "        print('boto3' in sys.modules, 'botocore' in sys.modules)\n"
        "asyncio.run(main())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False False", out.stderr[-2000:]


async def test_mfa_role_assumed_once_then_renewed_three_times_without_a_code(home, moto, sts_calls):
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("BreakGlass", user_arn)
    home.write(
        config="[profile corp]\nregion = eu-west-1\n\n"
        "[profile breakglass]\nrole_arn = arn:aws:iam::123456789012:role/BreakGlass\n"
        "source_profile = corp\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    app = real_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await pilot.press(*"breakglass", "enter")
        assert isinstance(app.screen, MfaScreen)
        await pilot.press(*"123456", "enter")
        await settle(app, pilot)
        keys = {app.session.access_key_id}
        bar = str(app.bar.render())
        assert "MFA session 11h 59m" in bar or "MFA session 12h 00m" in bar
        for _ in range(3):
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert not isinstance(app.screen, MfaScreen)  # no code asked for
            await settle(app, pilot)
            keys.add(app.session.access_key_id)
        assert len(keys) == 4  # each renewal wrote new credentials
        assert sts_calls["GetSessionToken"] == 1
        assert sts_calls["AssumeRole"] == 4
        assert app.has_mfa_sessions and app.check_action("logout", ()) is True
