"""Issue 15 end to end in a real terminal (tmux), on the demo: several sessions, a
production question, the Sessions screen (clear, region, renew) and a pin, and never a
secret on screen."""

from __future__ import annotations

import re
import sys
import time

import pytest

from tests.e2e.test_terminal import base_env
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e
PYTHON = sys.executable
COUNTDOWN = r"\d+m \d\ds"


STAGING_ROW = re.compile(rf"\[staging\] +staging/Deploy +staging +{COUNTDOWN}")


def wait_gone(term: Terminal, pattern: re.Pattern[str], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while pattern.search(term.screen()):
        assert time.monotonic() < deadline, f"{pattern.pattern!r} stayed; screen was:\n{term.screens[-1]}"
        time.sleep(0.1)


def secrets_in(text: str) -> set[str]:
    return set(re.findall(r"(?:aws_secret_access_key|aws_session_token) = (\S+)", text))


def test_named_profile_production_question_sessions_clear_and_pin(home, tmp_path):
    pytest.importorskip("moto.server")
    sandbox = tmp_path / "sandbox"  # kept while the demo runs, so the test can read its files
    credentials = sandbox / ".aws" / "credentials"
    # COLUMNS and LINES as the window: a value the test runner's own environment holds
    # would reach the app through tmux and win over the window's size.
    env = {**base_env(home), "COLUMNS": "120", "LINES": "32"}
    term = Terminal(tmp_path, f"{PYTHON} -m roleswitch demo --dir {sandbox}", env, size=(120, 32))
    secrets: set[str] = set()
    try:
        term.wait_for("Production")
        secrets |= secrets_in(credentials.read_text())  # the demo user's long-term keys

        # ctrl+y: staging/Deploy into a profile named in the dialog (checked as typed).
        term.type("stg deploy")
        term.wait_for(r"1 of \d+")
        term.send("C-y")
        term.wait_for("Assume staging/Deploy into which profile")
        term.type("staging")  # replaces the offered name, which is selected
        term.wait_for(r"Enter assumes into \[staging\]")
        term.send("Enter")
        term.wait_for(r"\[staging\] staging/Deploy \d+m")
        assert "roleswitch_target = staging/Deploy" in credentials.read_text()

        # A production target asks first, in its environment's name; y assumes it.
        term.send("C-u")
        term.type("prod readonly")
        term.send("Enter")
        lines = term.wait_for(r"Assume production/ReadOnly").string.splitlines()
        asked = next(i for i, line in enumerate(lines) if "Assume production/ReadOnly" in line)
        assert any(re.search(r"▀ *production *▀", line) for line in lines[asked - 3 : asked])  # its border
        assert "roleswitch_target = production/ReadOnly" not in credentials.read_text()
        term.send("y")
        term.wait_for(COUNTDOWN + " left")
        secrets |= secrets_in(credentials.read_text())

        # ctrl+t: both sessions, each with its own countdown.
        term.send("C-t")
        term.wait_for(r"Profile +Target +Environment +Left")
        term.wait_for(rf"\[default\].*production/ReadOnly +production +{COUNTDOWN}")
        term.wait_for(STAGING_ROW.pattern)

        # d clears the highlighted session, after a question whose default is No.
        term.send("Down")
        term.send("d")
        term.wait_for(r"Remove \[staging\]")
        term.send("Enter")  # No
        term.wait_for(r"Profile +Target")
        assert STAGING_ROW.search(term.screen()) and "[staging]" in credentials.read_text()
        term.send("d")
        term.wait_for(r"Remove \[staging\]")
        term.send("y")
        wait_gone(term, STAGING_ROW)
        assert "[staging]" not in credentials.read_text()
        assert re.search(r"\[default\].*production/ReadOnly", term.screen())

        # g picks the session's region from botocore's list, filtered as typed.
        term.send("g")
        term.wait_for(r"Region for \[default\]")
        term.type("euc1")
        term.wait_for(r"eu-central-1")
        term.send("Enter")
        term.wait_for(r"\[default\].*production/ReadOnly.*eu-central-1")
        assert "region = eu-central-1" in credentials.read_text()

        # r renews it: production asks again, and the region picked stays.
        term.send("r")
        term.wait_for(r"Renew production/ReadOnly")
        term.send("y")
        term.wait_for(r"Renewed production/ReadOnly")
        assert "region = eu-central-1" in credentials.read_text()
        secrets |= secrets_in(credentials.read_text())

        # Esc back; ctrl+f pins the highlighted role, which then comes first.
        term.send("Escape")
        term.send("C-u")
        term.type("sandbox admin")
        term.wait_for(r"1 of \d+")
        term.send("C-f")
        term.send("C-u")
        lines = term.wait_for(r"Pinned +1 role").string.splitlines()
        listed = [line for line in lines if line.strip()][2:]  # under the top bar and the filter
        assert re.match(r" Pinned +1 role", listed[0]) and re.search(r"Admin +Sandbox", listed[1]), listed

        term.send("C-q")
        assert term.wait_exit() == 0
    finally:
        term.close()
    assert secrets
    for screen in term.screens:
        assert not [secret for secret in secrets if secret in screen]
