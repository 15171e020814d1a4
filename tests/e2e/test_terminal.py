"""End to end in a real terminal (tmux): the app against moto's STS server, and the demo."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
PYTHON = sys.executable


def base_env(home) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "VIRTUAL_ENV")}
    return {
        **keep,
        "TERM": "xterm-256color",
        "HOME": str(home.root),
        "AWS_CONFIG_FILE": str(home.config),
        "AWS_SHARED_CREDENTIALS_FILE": str(home.credentials),
        "ROLESWITCH_CONFIG": str(home.toml),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def key_id(path: Path) -> str:
    return re.search(r"\[default\]\naws_access_key_id = (\S+)", path.read_text()).group(1)


def test_filter_assume_countdown_renew_quit(home, moto, tmp_path):
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    moto.create_role("ReadOnly", user_arn)
    home.write(
        config="[profile corp]\nregion = eu-west-1\n\n"
        "[profile prod-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n\n"
        "[profile prod-readonly]\nrole_arn = arn:aws:iam::123456789012:role/ReadOnly\nsource_profile = corp\n",
        credentials=f"# mine\n[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    original = home.credentials.read_text()
    moto.enforce_auth()
    env = {**base_env(home), "AWS_ENDPOINT_URL_STS": moto.url}
    term = Terminal(tmp_path, f"{PYTHON} -m roleswitch", env)
    try:
        term.wait_for("Type to filter roles")
        term.type("admin")
        term.wait_for("1 of 2")
        term.send("Enter")
        match = term.wait_for(r"(\d+)m (\d\d)s left")
        left = int(match.group(1)) * 60 + int(match.group(2))
        assert 3590 <= left <= 3600, left
        term.wait_for(r"into \[default\]")  # the profile name survives rendering
        text = home.credentials.read_text()
        assert text.startswith(original) and "roleswitch_target = prod-admin" in text
        first_key = key_id(home.credentials)
        # The countdown ticks on screen.
        first = term.wait_for(r"(\d+)m (\d\d)s left").group(0)
        term.wait_for(rf"(?!{re.escape(first)})\d+m \d\ds left", timeout=5)
        term.send("C-r")
        renewed_key = first_key
        for _ in range(50):
            renewed_key = key_id(home.credentials)
            if renewed_key != first_key:
                break
            term.screen()
            time.sleep(0.2)
        assert renewed_key != first_key, "renew did not change the keys"
        term.wait_for("Renewed prod-admin")
        term.send("C-q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    secret_key = re.search(
        r"\[default\][^\[]*aws_secret_access_key = (\S+)", home.credentials.read_text()
    ).group(1)
    token = re.search(r"aws_session_token = (\S+)", home.credentials.read_text()).group(1)
    for screen in term.screens:
        assert secret_key not in screen and token not in screen and secret not in screen


def test_demo_leaves_home_untouched_and_nothing_running(home, tmp_path):
    pytest.importorskip("moto.server")
    sentinel = "[default]\naws_access_key_id = AKIAPERSONAL\naws_secret_access_key = personal\n"
    home.credentials.write_text(sentinel)
    home.config.write_text("[default]\nregion = ap-south-1\n")
    before = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**base_env(home), "TMPDIR": str(scratch)}
    term = Terminal(tmp_path, f"{PYTHON} -m roleswitch demo", env)
    try:
        term.wait_for("DEMO")
        term.wait_for("Production")
        term.type("prod readonly")
        term.send("Enter")
        term.wait_for(r"Assume production/ReadOnly \(production\)")  # the demo's production asks
        term.send("y")
        term.wait_for(r"\d+m \d\ds left")
        term.send("C-r")
        term.wait_for(r"Renew production/ReadOnly \(production\)")
        term.send("y")
        term.wait_for("Renewed production/ReadOnly")
        term.send("C-q")
        assert term.wait_exit() == 0
        screen = term.screen()
        assert "local STS endpoint is stopped" in screen
    finally:
        term.close()
    after = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
    assert after == before  # the person's ~/.aws was neither read into nor written
    assert list(scratch.iterdir()) == []  # the temporary sandbox is gone
