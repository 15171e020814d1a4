"""End to end in a real 80x24 terminal (tmux): the demo's Identity Center sign-in, approved
with the demo's key, then a discovered role assumed and counting down."""

from __future__ import annotations

import inspect
import json
import re
import sys

import pytest

from tests.e2e.test_terminal import base_env
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
PYTHON = sys.executable


def tmux_key(textual_key: str) -> str:
    """Textual's `ctrl+n` as tmux's send-keys names it: `C-n`."""
    return re.sub(r"^ctrl\+", "C-", textual_key)


def sign_in_keys() -> tuple[str, str]:
    """The app's sign-in key and the sign-in dialog's demo approve key (the app's own bindings)."""
    from roleswitch.ui.launch import launch

    try:
        from roleswitch.ui.screens.sso_login import SsoLoginScreen
        from roleswitch.ui.sso import SIGN_IN_KEY
    except ImportError:
        pytest.skip("the app has no Identity Center sign-in key yet")
    if "approve_device" not in inspect.signature(launch).parameters:
        pytest.skip("the app cannot be given the demo's device approval yet")
    approve = next(b.key for b in SsoLoginScreen.BINDINGS if getattr(b, "id", None) == "sso-approve")
    return SIGN_IN_KEY, approve


def test_demo_sign_in_approve_discover_assume_countdown(home, tmp_path):
    pytest.importorskip("moto.server")
    sign_in, approve = sign_in_keys()
    sandbox = tmp_path / "sandbox"
    term = Terminal(tmp_path, f"{PYTHON} -m roleswitch demo --dir {sandbox}", base_env(home), size=(80, 24))
    try:
        term.wait_for("DEMO")
        term.wait_for("Type to filter")
        term.wait_for(rf"\^{sign_in.removeprefix('ctrl+')} Sign in")
        code = ""
        for _ in range(5):  # the key stays greyed out until the app has read the sessions' state
            term.send(tmux_key(sign_in))
            try:
                code = term.wait_for(r"user_code=([B-Z]{4}-[B-Z]{4})", timeout=4).group(1)
                break
            except AssertionError:
                continue
        assert code, f"the sign-in key never opened the sign-in dialog; screen was:\n{term.screens[-1]}"
        term.wait_for(re.escape(" ".join(code)))  # the code itself, large, fits at 80x24
        term.send(approve)
        term.wait_for("Signed in")
        # Discovery runs in the background; its accounts join the list once it is done.
        term.wait_for(r"Data Platform  444444444444", timeout=30)
        term.type("dataengineer")
        term.wait_for(r"\b1 of \d+")
        term.wait_for(r"DataEngineer +sso:roleswitch-de")
        term.send("Enter")
        match = term.wait_for(r"(\d+)m (\d\d)s left")
        left = int(match.group(1)) * 60 + int(match.group(2))
        assert 3500 <= left <= 3600, left  # the portal's one-hour role credentials
        first = match.group(0)
        term.wait_for(rf"(?!{re.escape(first)})\d+m \d\ds left", timeout=5)  # it ticks
        term.send("C-q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    secrets = []
    for cached in (sandbox / ".aws" / "sso" / "cache").glob("*.json"):
        data = json.loads(cached.read_text())
        secrets += [data[key] for key in ("accessToken", "refreshToken", "clientSecret") if key in data]
    credentials = (sandbox / ".aws" / "credentials").read_text()
    assert "roleswitch_target = roleswitch-demo/Data-Platform/DataEngineer" in credentials
    secrets += re.findall(r"^aws_(?:secret_access_key|session_token) = (\S+)$", credentials, re.MULTILINE)
    assert len(secrets) >= 4
    for screen in term.screens:
        assert not any(secret in screen for secret in secrets)
