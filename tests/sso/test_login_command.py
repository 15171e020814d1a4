"""`roleswitch login` as a real process against the local Identity Center: the code on
stderr, approval, the AWS CLI's cache written, discovery counted, and no secret in any output."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from roleswitch.local.identity_center import IdentityCenter

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_center(monkeypatch):
    """On the real clock: the process under test waits for real."""
    with IdentityCenter() as server:
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        yield server


def _sessions(center: IdentityCenter, *names: str) -> str:
    return "".join(
        f"[sso-session {name}]\nsso_start_url = {center.start_url}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n\n"
        for name in names
    )


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", "login", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=20,
    )


def _start(*args: str) -> tuple[subprocess.Popen, queue.Queue]:
    process = subprocess.Popen(
        [sys.executable, "-m", "roleswitch", "login", *args],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return process, lines


def test_login_prints_the_code_waits_for_approval_and_counts_what_it_found(home, live_center):
    home.write(config=_sessions(live_center, "corp"))
    process, lines = _start()
    said: list[str] = []
    code = None
    deadline = time.monotonic() + 20
    while code is None and time.monotonic() < deadline:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line is not None, "".join(said)
        said.append(line)
        found = re.search(r"code: ([A-Z]{4}-[A-Z]{4})", line)
        code = found and found[1]
    assert code is not None
    live_center.approve(code)
    process.wait(timeout=20)  # stdout stays empty, so its pipe cannot fill
    out = process.stdout.read()
    while (line := lines.get(timeout=5)) is not None:
        said.append(line)
    err = "".join(said)
    assert process.returncode == 0, err
    assert out == ""
    assert f"{live_center.url}/device?user_code={code}" in err
    assert "Signed in to corp until " in err
    assert err.rstrip().endswith("5 accounts, 11 roles found.")
    (cache_file,) = (home.root / ".aws" / "sso" / "cache").glob("*.json")
    entry = json.loads(cache_file.read_text())
    for secret in (entry["accessToken"], entry["refreshToken"], entry["clientSecret"]):
        assert secret not in err and secret not in out
    assert list((home.root / ".cache" / "roleswitch").glob("sso-discovery-*.json"))


def test_with_several_sessions_and_none_named_it_lists_them_and_exits_2(home, live_center):
    home.write(config=_sessions(live_center, "corp", "lab"))
    process = _run()
    err = process.stderr
    assert process.returncode == 2
    assert "several SSO sessions are configured; name one: roleswitch login SESSION." in err
    assert "  corp  " in err and "  lab  " in err


def test_with_no_session_configured_it_says_how_to_add_one(home, live_center):
    process = _run("corp")
    err = process.stderr
    assert process.returncode == 2
    assert err.startswith("roleswitch: there is no SSO session named corp.\n")
    assert "add an [sso-session NAME] section" in err


def test_open_with_no_browser_says_to_open_the_printed_page_and_the_sign_in_goes_on(
    home, live_center, monkeypatch, capsys
):
    from roleswitch import cli

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "WSL_DISTRO_NAME"):
        monkeypatch.delenv(name, raising=False)  # no desktop: nothing can open a page here
    monkeypatch.setattr(sys, "platform", "linux")
    home.write(config=_sessions(live_center, "corp"))
    threading.Thread(
        target=lambda: live_center.approve(live_center.wait_for_user_code()), daemon=True
    ).start()
    code = cli.main(["login", "--open"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert (
        "roleswitch: no browser could be opened here (over SSH?); open the page above on any device "
        "and check the code.\n"
    ) in err
    assert "console" not in err
    assert err.index("no browser could be opened") < err.index("Waiting for approval")
    assert "Signed in to corp until " in err
