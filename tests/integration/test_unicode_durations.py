"""A duration written with Unicode digits is a problem line, never a traceback.

`"³⁶⁰⁰".isdigit()` is true but `int()` refuses it: every command that loads the
TOML config used to crash on it. Each command runs as a real process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TOML = (
    '[settings]\nactive_profile = "default"\nduration = "³⁶⁰⁰"\n\n'
    '[accounts.prod]\nid = "111111111111"\nsource_profile = "corp"\n\n'
    '[[accounts.prod.roles]]\nname = "Admin"\nduration = "³⁶⁰⁰"\n\n'
    '[[accounts.prod.roles]]\nname = "Deploy"\nduration = "٣٦٠٠"\n'
)


def cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env=os.environ.copy(),
    )


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["status"], ["clear"]])
def test_unicode_digits_in_durations_are_problems_not_tracebacks(home, command):
    home.write(config="", credentials="[corp]\naws_access_key_id = AKIAFAKEFAKE00000001\n", toml=TOML)
    credentials_before = home.credentials.read_bytes()
    done = cli(*command)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 4), done.stderr
    assert "duration '³⁶⁰⁰' is not understood" in done.stderr
    assert all(line.startswith("roleswitch: warning: ") for line in done.stderr.splitlines())
    assert home.credentials.read_bytes() == credentials_before


def test_list_marks_the_roles_with_unicode_durations_invalid(home):
    home.write(config="", toml=TOML)
    done = cli("list")
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("    ")}
    assert "invalid: duration '³⁶⁰⁰' is not understood" in lines["prod/Admin"]
    assert "invalid: duration '٣٦٠٠' is not understood" in lines["prod/Deploy"]
