"""The AWS CLI, unchanged, against the local Identity Center: its `sso` commands and its
own SSO credential provider reading a token cache in the CLI's format.

The CLI is pip-installed once into the benchmarks' peer venv (benchmarks/.peers); when pip cannot
install it these tests skip and say why. AWS CLI v1 (the one on PyPI) has no
`aws sso login`: the device flow is proven with botocore's client in
test_identity_center.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.local.identity_center_helpers import write_cli_token_cache


def run_aws(aws: Path, *args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [str(aws), *args, "--region", "us-east-1", "--output", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_aws_sso_commands_list_accounts_and_get_role_credentials(aws_cli, center):
    access, _ = center.issue_token()
    accounts = run_aws(aws_cli, "sso", "list-accounts", "--access-token", access)
    assert [a["accountName"] for a in accounts["accountList"]] == [a.name for a in center.accounts]
    creds = run_aws(
        aws_cli,
        "sso",
        "get-role-credentials",
        "--access-token",
        access,
        "--account-id",
        "444444444444",
        "--role-name",
        "SecurityAudit",
    )["roleCredentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["accessKeyId"])
    assert creds["expiration"] > center.clock() * 1000  # milliseconds
    assert center.calls["ListAccounts"] == 1 and center.calls["GetRoleCredentials"] == 1


def test_aws_cli_profile_uses_the_token_cache_and_refreshes_it(aws_cli, sso_profile, center, moto):
    old = write_cli_token_cache(sso_profile, center, timedelta(minutes=5))  # the CLI refreshes it first
    center.expire_token(old["accessToken"])
    identity = run_aws(aws_cli, "sts", "get-caller-identity", "--profile", "dev")
    assert identity["Account"]  # moto's STS accepted the portal's credentials
    assert center.calls["CreateToken"] == 1 and center.calls["GetRoleCredentials"] == 1
    saved = json.loads(next(sso_profile.iterdir()).read_text())
    assert center.token_is_valid(saved["accessToken"]) and saved["accessToken"] != old["accessToken"]
