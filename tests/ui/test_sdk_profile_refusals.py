"""ctrl+o names no command-line flag: the app picks the profile's name itself, so a name
that is taken is explained with what the person can do from here."""

from __future__ import annotations

import pytest

from tests.ui.helpers import CONFIG, CREDENTIALS, TOML, make_app, notes, settle

SIZE = (100, 30)


@pytest.mark.parametrize(
    ("config_extra", "credentials_extra", "problem"),
    [
        ("\n[profile staging-Deploy]\nregion = eu-west-1\n", "", "was not written by roleswitch"),
        ("", "\n[staging-Deploy]\naws_access_key_id = AKIAEXAMPLE2\n", "exists in"),
    ],
    ids=["config-profile-taken", "credentials-section-taken"],
)
async def test_ctrl_o_on_a_taken_name_says_what_to_do_without_a_flag(
    home, config_extra, credentials_extra, problem
):
    home.write(config=CONFIG + config_extra, credentials=CREDENTIALS + credentials_extra, toml=TOML)
    before = home.config.read_bytes()
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"staging deploy", "ctrl+o")
        await settle(app, pilot)
        shown = [n for n in app._notifications if n.title == "Profile not written"]
        assert len(shown) == 1, notes(app)
        message = shown[0].message
        assert problem in message and "staging-Deploy" in message
        assert "--name" not in message  # the app has no such flag
        assert message.endswith("; to use another name, run roleswitch add-profile in a shell.")
        assert "\n" not in message
    assert home.config.read_bytes() == before and sts.calls == []
