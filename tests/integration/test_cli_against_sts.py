"""The CLI against moto's STS server on 127.0.0.1: no mocks of boto3 anywhere."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from roleswitch.cli import main

CORP_KEYS = "[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
BYSTANDER = "# keep me\n[bystander]\naws_access_key_id = AKIABYSTANDER\naws_secret_access_key = b\n"


def setup_roles(
    home,
    moto,
    *,
    enforce: bool,
    external_id: str | None = None,
    can_assume: bool = True,
    role_trusts: str | None = None,
):
    user_arn, key, secret = moto.create_user("alice", can_assume=can_assume)
    role_arn = moto.create_role("Admin", role_trusts or user_arn, external_id=external_id)
    config = (
        "[profile corp]\nregion = us-east-1\n\n"
        f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n"
    )
    if external_id is not None:
        config += "external_id = wrong-id\n"
    home.write(config=config, credentials=BYSTANDER + "\n" + CORP_KEYS.format(key=key, secret=secret))
    if enforce:
        moto.enforce_auth()
    return role_arn


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_assume_writes_credentials_that_work(home, moto, capsys):
    role_arn = setup_roles(home, moto, enforce=True)
    before = home.credentials.read_text()
    code, out, err = run(capsys, "assume", "admin")
    assert code == 0, err
    assert "Assumed arn:aws:sts::123456789012:assumed-role/Admin/" in out and "left" in out
    text = home.credentials.read_text()
    assert text.startswith(before)
    secret = text.split("aws_secret_access_key = ")[-1].split("\n")[0]
    assert secret not in out + err

    import boto3

    identity = boto3.Session(profile_name="default").client("sts").get_caller_identity()
    assert identity["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    code, out, _ = run(capsys, "status")
    assert code == 0 and "admin" in out and "left" in out
    code, out, _ = run(capsys, "list", "--json")
    assert '"active": true' in out
    assert role_arn in out


def test_access_denied_when_not_trusted(home, moto, capsys):
    setup_roles(home, moto, enforce=True, role_trusts="arn:aws:iam::123456789012:user/someone-else")
    before = home.credentials.read_bytes()
    code, _, err = run(capsys, "assume", "admin")
    assert code == 1
    assert err.startswith("roleswitch: Access denied assuming") and "trust policy" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert home.credentials.read_bytes() == before


def test_access_denied_without_permission(home, moto, capsys):
    setup_roles(home, moto, enforce=True, can_assume=False)
    code, _, err = run(capsys, "assume", "admin")
    assert code == 1 and "Access denied" in err


def test_wrong_external_id(home, moto, capsys):
    setup_roles(home, moto, enforce=True, external_id="right-id")
    before = home.credentials.read_bytes()
    code, _, err = run(capsys, "assume", "admin")
    assert code == 1 and "external id" in err
    assert home.credentials.read_bytes() == before


def test_invalid_source_keys(home, moto, capsys):
    setup_roles(home, moto, enforce=True)
    home.credentials.write_text(CORP_KEYS.format(key="AKIAWRONGWRONGWRONG1", secret="nope"))
    before = home.credentials.read_bytes()
    code, _, err = run(capsys, "assume", "admin")
    assert code == 1
    assert "credentials of source profile 'corp' are not valid" in err
    assert home.credentials.read_bytes() == before


def _refusing_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: connections are refused


def test_refused_connection_fails_fast_and_writes_nothing(home, monkeypatch, capsys):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{_refusing_port()}")
    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials=CORP_KEYS.format(key="AKIAFAKEFAKEFAKE0001", secret="s"),
    )
    before = home.credentials.read_bytes()
    start = time.monotonic()
    code, _, err = run(capsys, "assume", "admin")
    assert time.monotonic() - start < 10
    assert code == 1 and "Could not connect to STS" in err
    assert home.credentials.read_bytes() == before


def test_mfa_code_validated_before_any_call(home, moto, capsys):
    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
        "source_profile = corp\nmfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
        credentials=CORP_KEYS.format(key="AKIAFAKEFAKEFAKE0001", secret="s"),
    )
    with pytest.raises(SystemExit) as exit_info:  # a bad option value is a usage error
        main(["assume", "admin", "--mfa-code", "12ab56"])
    assert exit_info.value.code == 2 and "6 digits" in capsys.readouterr().err
    code, _, err = run(capsys, "assume", "admin")  # no TTY under pytest
    assert code == 1 and "--mfa-code" in err
    code, _, err = run(capsys, "assume", "admin", "--mfa-code", "123456")
    assert code == 0, err


def test_refuses_to_overwrite_long_term_keys(home, moto, capsys):
    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials="[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = x\n"
        + CORP_KEYS.format(key="AKIAFAKEFAKEFAKE0001", secret="s"),
    )
    before = home.credentials.read_bytes()
    code, _, err = run(capsys, "assume", "admin")
    assert code == 1 and "did not write" in err
    assert home.credentials.read_bytes() == before
    code, _, err = run(capsys, "assume", "admin", "--profile", "work")
    assert code == 0, err


def test_env_status_clear_and_exit_codes(home, moto, capsys):
    setup_roles(home, moto, enforce=False)
    original = home.credentials.read_bytes()
    code, out, _ = run(capsys, "status")
    assert code == 4 and "No active session" in out
    code, out, _ = run(capsys, "status", "--short")
    assert code == 4 and out == ""
    code, out, _ = run(capsys, "env", "admin")
    assert code == 0
    lines = out.strip().splitlines()
    assert [line.split("=")[0] for line in lines] == [
        "export AWS_ACCESS_KEY_ID",
        "export AWS_SECRET_ACCESS_KEY",
        "export AWS_SESSION_TOKEN",
        "export AWS_CREDENTIAL_EXPIRATION",
        "export AWS_REGION",
        "export AWS_DEFAULT_REGION",
    ]
    assert home.credentials.read_bytes() == original  # env never writes the file
    assert run(capsys, "assume", "admin")[0] == 0
    code, out, _ = run(capsys, "status", "--short")
    assert code == 0 and out in ("admin 59m\n", "admin 60m\n")
    # Write an expired session by hand to see status say so.
    text = home.credentials.read_text()
    import re

    home.credentials.write_text(re.sub(r"expiration = .*", "expiration = 2020-01-01T00:00:00Z", text))
    code, out, _ = run(capsys, "status")
    assert code == 3 and "expired" in out
    code, out, _ = run(capsys, "status", "--short")
    assert code == 3 and out == "admin expired\n"
    code, out, _ = run(capsys, "clear")
    assert code == 0 and "Removed [default]" in out
    assert home.credentials.read_bytes() == original


def test_usage_errors_exit_2_unknown_target_exits_1(home, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["assume", "admin", "--bogus"])
    assert exit_info.value.code == 2
    assert main(["assume"]) == 2  # no target and no terminal to pick one on
    code, _, err = run(capsys, "assume", "nope")
    assert code == 1 and "No target named 'nope'" in err


def test_console_script_in_a_real_process(home, moto):
    setup_roles(home, moto, enforce=False)
    env = dict(os.environ)
    for args, expected in ((["list"], 0), (["assume", "admin"], 0), (["status"], 0), (["--help"], 0)):
        proc = subprocess.run(
            [sys.executable, "-m", "roleswitch", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert proc.returncode == expected, proc.stderr
        assert "Traceback" not in proc.stderr
    secret = home.credentials.read_text().split("aws_secret_access_key = ")[-1].split("\n")[0]
    assert secret not in proc.stdout


def test_refuses_to_write_into_the_source_profile_before_calling_sts(home, capsys):
    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials=CORP_KEYS.format(key="AKIAFAKEFAKEFAKE0001", secret="s"),
    )
    before = home.credentials.read_bytes()
    code, _, err = run(capsys, "assume", "admin", "--profile", "corp")  # no endpoint set: no STS call made
    assert code == 1 and "source profile is 'corp'" in err and err.count("\n") == 1
    assert home.credentials.read_bytes() == before
