"""A renewal is never written over a session another program wrote after the app looked.

The other program here is a thread holding roleswitch's own lock on the credentials file
(the lock `CredentialsFile.write` takes), so the swap lands exactly between the app's
decision to write and its write.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import section_lines, upsert_section
from roleswitch.core.file_lock import exclusive_lock
from roleswitch.core.model import AssumeResult, Credentials
from tests.ui.helpers import make_app, notes, settle, write_sandbox

SIZE = (100, 30)
OTHER_KEY = "ASIAOTHERTERMINAL002"


def lock_path(home) -> str:
    real = Path(os.path.realpath(home.credentials))
    return str(real.parent / f".{real.name}.roleswitch-lock")


def swap_section_while_locked(home, clock, name: str) -> None:
    """What another program holding the credentials lock writes: its own session in [default]."""
    target = load_catalogue().find(name)
    result = AssumeResult(
        target=target,
        credentials=Credentials(OTHER_KEY, "other-secret", "other-token", clock.now() + timedelta(hours=1)),
        assumed_arn=f"arn:aws:sts::{target.account_id}:assumed-role/{target.role_name}/bob",
        region=target.region or "us-east-1",
    )
    text = home.credentials.read_text()
    home.credentials.write_text(upsert_section(text, "default", section_lines("default", result)))


def spy_on_writes(app) -> threading.Event:
    """Set once the app's worker calls `write`: every check it makes before writing is done."""
    entered = threading.Event()
    credentials = app.services.credentials
    original = credentials.write

    def write(*args, **kwargs):
        entered.set()
        return original(*args, **kwargs)

    credentials.write = write
    return entered


@pytest.mark.parametrize("how", ["ctrl+r", "auto-renew"])
async def test_a_session_swapped_under_the_lock_is_never_overwritten_by_the_renewal(home, how):
    write_sandbox(home)
    app, sts, clock = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        assert app.session.target_name == "prod/Admin"
        if how == "auto-renew":
            await app.run_action("toggle_auto_renew")
            await settle(app, pilot)
            clock.advance(3000)  # inside the renew margin
        entered = spy_on_writes(app)
        with exclusive_lock(lock_path(home), 5):
            if how == "ctrl+r":
                await pilot.press("ctrl+r")
            else:
                app.tick()
            for _ in range(500):
                await pilot.pause()
                if entered.is_set():
                    break
                time.sleep(0.01)
            assert entered.is_set() and len(sts.calls) == 2
            swap_section_while_locked(home, clock, "staging/Deploy")
        await settle(app, pilot)
        on_disk = raw_config_parse(str(home.credentials))["default"]
        assert on_disk["aws_access_key_id"] == OTHER_KEY
        assert on_disk["roleswitch_target"] == "staging/Deploy"
        assert app.session.target_name == "staging/Deploy"
        assert app.session.access_key_id == OTHER_KEY
        assert any("Did not renew prod/Admin" in n and "staging/Deploy" in n for n in notes(app))
