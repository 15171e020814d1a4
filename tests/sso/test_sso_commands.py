"""Every command with Identity Center targets, through the real entry point, against the
local Identity Center (and moto's STS for a role chained from an SSO role), with a token
cache written as the AWS CLI writes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from roleswitch import cli
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sts import StsClient
from tests.local.identity_center_helpers import write_cli_token_cache

ROOT = Path(__file__).resolve().parents[2]
DISCOVERED = "corp/Development/AdministratorAccess"


@pytest.fixture(autouse=True)
def own_chain(monkeypatch):
    """credential-process marks the targets it resolves in the environment of the processes
    it starts; in process here, so put it back after each test."""
    from roleswitch.core.credential_process import CHAIN_VARIABLE

    monkeypatch.setenv(CHAIN_VARIABLE, "[]")


@pytest.fixture
def signed_in(sso_profile, center):
    """A sign-in as `aws sso login` leaves it: the token cache entry of session corp."""
    return write_cli_token_cache(sso_profile, center, timedelta(hours=8))


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = cli.main(list(words))
    out, err = capsys.readouterr()
    return code, out, err


def credentials_bytes(home) -> bytes | None:
    return home.credentials.read_bytes() if home.credentials.exists() else None


def test_assume_an_sso_profile_writes_the_active_profile_with_its_expiration(home, center, signed_in, capsys):
    code, out, err = run(capsys, "assume", "dev")
    assert code == 0, err
    text = home.credentials.read_text()
    assert "[default]" in text and "expiration = " in text and "aws_session_token = " in text
    assert "roleswitch_target = dev" in text
    assert "roleswitch_role_arn = arn:aws:iam::333333333333:role/PowerUserAccess" in text
    assert out.startswith("Got PowerUserAccess in 333333333333 from IAM Identity Center (corp)\n")
    assert center.calls["GetRoleCredentials"] == 1
    assert signed_in["accessToken"] not in out + err + text
    code, out, _ = run(capsys, "status")
    assert code == 0 and out.startswith("dev (333333333333) in [default]: ")
    # The SSO profile itself still works for every AWS SDK after roleswitch wrote [default].
    identity = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert identity.access_key.startswith("ASIA") and center.calls["GetRoleCredentials"] == 2


def test_discover_then_every_command_uses_the_discovered_roles(home, center, signed_in, capsys):
    code, out, err = run(capsys, "list")
    assert "Note: The accounts and roles of SSO session corp were never discovered" in out
    code, out, err = run(capsys, "discover")
    assert code == 0 and "corp: 5 accounts, 11 roles." in err and out == ""
    code, out, err = run(capsys, "list")
    assert code == 0 and "Note:" not in out
    assert "Development (333333333333)\n" in out  # one row: the SSO profile and the discovered roles
    lines = out.splitlines()
    row = lines.index("Development (333333333333)")
    assert [line.split()[0] for line in lines[row + 1 : row + 4]] == [
        "dev",
        DISCOVERED,
        "corp/Development/PowerUserAccess",
    ]
    assert "source=sso:corp" in lines[row + 2]
    listed = json.loads(run(capsys, "list", "--json")[1])
    assert {t["origin"] for t in listed if t["name"].startswith("corp/")} == {"sso"}

    code, out, err = run(capsys, "env", DISCOVERED)
    assert code == 0, err
    assert "export AWS_ACCESS_KEY_ID=ASIA" in out and "export AWS_SESSION_TOKEN=" in out
    code, out, err = run(capsys, "credential-process", DISCOVERED)
    assert code == 0, err
    answer = json.loads(out)
    assert answer["Version"] == 1 and answer["AccessKeyId"].startswith("ASIA") and answer["Expiration"]
    code, out, err = run(capsys, "assume", DISCOVERED)
    assert code == 0, err
    assert f"roleswitch_target = {DISCOVERED}" in home.credentials.read_text()
    code, out, _ = run(capsys, "status", "--short")
    assert code == 0 and out.startswith(f"{DISCOVERED} ")


def test_exec_runs_the_command_with_the_sso_role_credentials(home, center, signed_in):
    script = "import os; print(os.environ['AWS_ACCESS_KEY_ID'][:4], os.environ['ROLESWITCH_TARGET'])"
    done = subprocess.run(
        [sys.executable, "-m", "roleswitch", "exec", "dev", "--", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ASIA dev\n"


def test_duration_does_not_apply_to_an_sso_role(home, center, signed_in, capsys):
    code, _out, err = run(capsys, "assume", "dev", "--duration", "2h")
    assert code == 1 and err.count("\n") == 1
    assert "set in Identity Center" in err and "without --duration" in err
    assert center.calls["GetRoleCredentials"] == 0 and not home.credentials.exists()


@pytest.mark.parametrize("how", ["expired", "revoked"])
@pytest.mark.parametrize("command", ["assume", "env", "credential-process"])
def test_an_ended_sign_in_is_one_sentence_and_changes_no_file(
    home, center, sso_profile, capsys, how, command
):
    home.credentials.write_text("[keep]\naws_access_key_id = AKIAKEEP\naws_secret_access_key = s\n")
    if how == "expired":  # past its end, and the refresh token no longer accepted
        entry = write_cli_token_cache(sso_profile, center, timedelta(hours=-1))
        center.revoke_refresh_token(entry["refreshToken"])
    else:  # the portal ended it before the file says so
        entry = write_cli_token_cache(sso_profile, center, timedelta(hours=8))
        center.revoke_token(entry["accessToken"])
    before = credentials_bytes(home)
    code, out, err = run(capsys, command, "dev")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "run `roleswitch login corp`" in err, err
    assert "Traceback" not in err and entry["accessToken"] not in err
    assert credentials_bytes(home) == before


TOML_CHAINED = (
    '[accounts.dev]\nid = "333333333333"\nsource_profile = "{source}"\n\n'
    '[[accounts.dev.roles]]\nname = "Deployer"\n'
)


@pytest.mark.parametrize("source", [DISCOVERED, "dev"])
def test_a_role_chained_from_an_sso_role_is_assumed_through_sts(
    home, center, signed_in, sts_calls, capsys, monkeypatch, source
):
    home.write(config=home.config.read_text(), toml=TOML_CHAINED.format(source=source))
    assert run(capsys, "discover", "corp")[0] == 0
    code, out, err = run(capsys, "assume", "dev/Deployer")
    assert code == 0, err
    assert out.startswith("Assumed arn:aws:sts::333333333333:assumed-role/Deployer/")
    assert sts_calls["AssumeRole"] == 1 and center.calls["GetRoleCredentials"] == 1
    # STS's hour for chained sessions: refused before any call.
    code, out, err = run(capsys, "env", "dev/Deployer", "--duration", "2h")
    assert code == 1 and "within 1 hour" in err and err.count("\n") == 1
    assert sts_calls["AssumeRole"] == 1 and center.calls["GetRoleCredentials"] == 1


def test_a_chained_role_keeps_to_an_hour_when_the_setting_asks_for_more(
    home, center, signed_in, sts_calls, capsys
):
    toml = '[settings]\nduration = "8h"\n\n' + TOML_CHAINED.format(source="dev")
    home.write(config=home.config.read_text(), toml=toml)
    code, out, err = run(capsys, "credential-process", "dev/Deployer")
    assert code == 0, err
    assert sts_calls["AssumeRole"] == 1
    expiration = datetime.fromisoformat(json.loads(out)["Expiration"])
    assert expiration - datetime.now(UTC) <= timedelta(hours=1, seconds=30)


def test_discover_without_a_sign_in_is_one_sentence(home, center, sso_profile, capsys):
    code, _out, err = run(capsys, "discover", "corp")
    assert code == 1 and err.count("\n") == 1 and "roleswitch login corp" in err
    assert run(capsys, "discover", "nope")[0] == 2


def test_discover_with_no_session_configured_says_how_to_add_one(home, capsys):
    home.write(config="")
    code, _out, err = run(capsys, "discover")
    assert code == 1 and "[sso-session NAME]" in err and err.count("\n") == 1


def test_a_session_removed_since_the_list_was_built_is_one_sentence(home, center, signed_in, capsys):
    target = load_catalogue().find("dev")
    home.write(config="")
    with pytest.raises(SsoError) as caught:
        StsClient().assume(target)
    assert "no longer configured" in str(caught.value) and caught.value.code == "config"
    assert os.environ.get("AWS_ENDPOINT_URL_SSO")  # the portal was there; the config was not


def test_serve_duration_is_refused_for_an_sso_role_too(home, center, signed_in):
    import dataclasses

    from roleswitch.core.errors import AssumeError

    target = dataclasses.replace(load_catalogue().find("dev"), duration_seconds=7200)  # as serve makes it
    with pytest.raises(AssumeError) as caught:
        StsClient().assume(target)
    assert caught.value.code == "invalid" and "without --duration" in str(caught.value)
    assert center.calls["GetRoleCredentials"] == 0


def test_a_legacy_sso_profile_uses_the_token_cached_under_its_start_url(home, center, sso_profile, capsys):
    import hashlib

    home.write(
        config=(
            "[profile ops]\n"
            f"sso_start_url = {center.start_url}\n"
            "sso_region = us-east-1\n"
            "sso_account_id = 444444444444\n"
            "sso_role_name = SecurityAudit\n"
        )
    )
    entry = write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    named = sso_profile / (hashlib.sha1(b"corp").hexdigest() + ".json")
    named.rename(sso_profile / (hashlib.sha1(entry["startUrl"].encode()).hexdigest() + ".json"))
    code, out, err = run(capsys, "env", "ops")
    assert code == 0, err
    assert "export AWS_ACCESS_KEY_ID=ASIA" in out


def test_a_session_only_in_roleswitch_toml_discovers_and_assumes(home, center, sso_profile, capsys):
    home.write(config="", toml=f'[sso.corp]\nstart_url = "{center.start_url}"\nregion = "us-east-1"\n')
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    assert run(capsys, "discover", "corp")[0] == 0
    code, out, err = run(capsys, "credential-process", "corp/Security/SecurityAudit")
    assert code == 0, err
    assert json.loads(out)["AccessKeyId"].startswith("ASIA")
    assert "warning" not in err  # the [sso] table is roleswitch's own, not an unknown one


def test_a_silent_portal_fails_within_the_deadline_in_one_sentence(
    home, center, signed_in, silent_port, monkeypatch
):
    import time

    from roleswitch.core.sts import Timeouts

    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", silent_port)
    target = load_catalogue().find("dev")
    began = time.monotonic()
    with pytest.raises(SsoError) as caught:
        StsClient(Timeouts(connect=0.5, read=0.5, attempts=1)).assume(target)
    assert time.monotonic() - began < 5
    assert caught.value.code == "no-connection" and "\n" not in str(caught.value)
