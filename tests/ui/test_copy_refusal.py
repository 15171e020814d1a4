"""ctrl+e on a session whose values no shell line can carry (another program wrote a control
character into the file): one sentence on screen, nothing copied, no crash, no secret shown."""

from __future__ import annotations

import stat
from datetime import timedelta

import pytest

from tests.ui.helpers import CONFIG, CREDENTIALS, T0, TOML, make_app, settle

SIZE = (100, 30)
HIDDEN_SECRET = "wJalrXUtnFEMI-HAND-EDITED-SECRET"


def session_section(token: str, region: str) -> str:
    expiration = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        "\n[default]\n"
        "aws_access_key_id = ASIAHANDEDITED000001\n"
        f"aws_secret_access_key = {HIDDEN_SECRET}\n"
        f"aws_session_token = {token}\n"
        f"expiration = {expiration}\n"
        f"region = {region}\n"
        "manager = roleswitch\n"
        "roleswitch_target = prod/Admin\n"
        "roleswitch_role_arn = arn:aws:iam::111111111111:role/Admin\n"
        "roleswitch_assumed_arn = arn:aws:sts::111111111111:assumed-role/Admin/alice\n"
    )


@pytest.mark.parametrize(
    ("token", "region"),
    [("FQoGZXIvYXdz\x1b]52;c;aGk=\x07", "eu-west-1"), ("FQoGZXIvYXdzTOKEN", "eu-west-1\x07")],
    ids=["escape-in-token", "bell-in-region"],
)
async def test_ctrl_e_on_a_value_with_a_control_character_is_one_sentence(
    home, tmp_path, monkeypatch, token, region
):
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = folder / "xclip"
    tool.write_text(f'#!/bin/sh\nexec /bin/cat > "{folder}/xclip.got"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    home.write(config=CONFIG, credentials=CREDENTIALS + session_section(token, region), toml=TOML)
    app, _, _ = make_app(home)
    sent: list[str] = []
    app.copy_to_clipboard = sent.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.session is not None and app.session.target_name == "prod/Admin"
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        message = errors[0]
        assert message.count(". ") == 0 and message.endswith(".") and "\n" not in message
        assert "[default]" in message and "ctrl+r" in message
        assert message.isprintable() and HIDDEN_SECRET not in message
        assert sent == [] and not (folder / "xclip.got").exists()  # nothing copied anywhere
        assert HIDDEN_SECRET not in app.export_screenshot()
        assert app.is_running
