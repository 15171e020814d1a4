"""`roleswitch add-profile` refusing a taken name says how to give another one (--name NAME),
in one line, and leaves the config file as it was. The core's sentence names no flag; the
command line adds its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CONFIG = """\
[profile corp]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = corp

[profile mine]
region = eu-west-1
"""
CREDENTIALS = """\
[corp]
aws_access_key_id = AKIAEXAMPLECORP00001
aws_secret_access_key = corp-long-term-secret

[keys]
aws_access_key_id = AKIAEXAMPLEKEYS00001
aws_secret_access_key = other-secret
"""


def cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
        env=os.environ.copy(),
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("mine", "was not written by roleswitch"),
        ("corp", "the role's source profile"),
        ("default", "the active profile"),
        ("keys", "exists in"),
        ("DEFAULT", "cannot be a profile name"),
    ],
)
def test_a_taken_name_is_refused_with_the_flag_that_gives_another(home, name, problem):
    home.write(config=CONFIG, credentials=CREDENTIALS)
    before = home.config.read_bytes()
    done = cli("add-profile", "admin", "--name", name)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and problem in lines[0], done.stderr
    assert lines[0].endswith("; choose another name (--name NAME).")
    assert lines[0].count("--name") == 1
    assert home.config.read_bytes() == before
