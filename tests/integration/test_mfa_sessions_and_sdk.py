"""MFA sessions, credential_process and exec against moto's STS server (no boto3 mocks).

STS calls are counted by a relay in front of moto (`sts_calls`), so "no code
needed" and "served from cache" are proven by calls that never arrived.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from roleswitch.cli import main
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.mfa_sessions import MfaSessionStore

SERIAL = "arn:aws:iam::123456789012:mfa/alice"


def setup(home, moto, *, mfa: bool = True, duration: str | None = None) -> str:
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    config = (
        "[profile corp]\nregion = us-east-1\n\n"
        f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n"
        + (f"mfa_serial = {SERIAL}\n" if mfa else "")
        + (f"duration_seconds = {duration}\n" if duration else "")
    )
    home.write(
        config=config,
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    return role_arn


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def cli(*argv: str, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *argv],
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=60,
        env=os.environ.copy(),
    )


def cache_folder(home) -> Path:
    return home.root / ".cache" / "roleswitch"


def target():
    return load_catalogue().find("admin")


# --- MFA sessions -------------------------------------------------------------------


def test_mfa_role_assumed_three_times_with_one_code(home, moto, sts_calls, capsys):
    setup(home, moto)
    code, out, err = run(capsys, "assume", "admin", "--mfa-code", "123456")
    assert code == 0, err
    first_key = home.credentials.read_text().split("aws_access_key_id = ")[-1].split("\n")[0]
    for _ in range(2):
        code, out, err = run(capsys, "assume", "admin")  # stdin is not a terminal: no prompt possible
        assert code == 0, err
        assert "Assumed arn:aws:sts::123456789012:assumed-role/Admin/" in out
    assert sts_calls["GetSessionToken"] == 1
    assert sts_calls["AssumeRole"] == 3
    assert first_key not in home.credentials.read_text()  # each renewal wrote new keys

    folder = cache_folder(home)
    entries = list(folder.glob("mfa-*.json"))
    assert len(entries) == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entries[0].stat().st_mode) == 0o600
    ends = MfaSessionStore().expiration(target(), datetime.now(UTC))
    assert ends is not None and timedelta(hours=11) < ends - datetime.now(UTC) <= timedelta(hours=12)


def test_mfa_session_duration_comes_from_the_settings(home, moto, sts_calls, capsys):
    setup(home, moto)
    home.toml.parent.mkdir(parents=True, exist_ok=True)
    home.toml.write_text('[settings]\nmfa_session_duration = "2h"\n')
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    left = MfaSessionStore().expiration(target(), datetime.now(UTC)) - datetime.now(UTC)
    assert timedelta(hours=1, minutes=55) < left <= timedelta(hours=2)


def test_a_second_process_reuses_the_cached_mfa_session(home, moto, sts_calls, capsys):
    setup(home, moto)
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    done = cli("assume", "admin")
    assert done.returncode == 0, done.stderr
    assert sts_calls["GetSessionToken"] == 1
    assert sts_calls["AssumeRole"] == 2


def test_without_a_session_or_a_terminal_the_cli_says_to_pass_a_code(home, moto, sts_calls, capsys):
    setup(home, moto)
    before = home.credentials.read_bytes()
    code, _out, err = run(capsys, "assume", "admin")
    assert code == 1
    assert err == "roleswitch: admin needs an MFA code; pass --mfa-code CODE.\n"
    assert home.credentials.read_bytes() == before
    assert sts_calls["AssumeRole"] == 0 and sts_calls["GetSessionToken"] == 0


def test_an_expired_cached_mfa_session_asks_for_a_code_again(home, moto, sts_calls, capsys):
    setup(home, moto)
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    (entry,) = cache_folder(home).glob("mfa-*.json")
    data = json.loads(entry.read_text())
    data["Expiration"] = "2020-01-01T00:00:00Z"
    entry.write_text(json.dumps(data))

    code, _out, err = run(capsys, "assume", "admin")
    assert code == 1 and "needs an MFA code" in err
    assert sts_calls["AssumeRole"] == 1  # the ended session was not even tried

    assert run(capsys, "assume", "admin", "--mfa-code", "654321")[0] == 0
    assert sts_calls["GetSessionToken"] == 2
    assert run(capsys, "assume", "admin")[0] == 0  # and the new session serves the next one


def test_a_session_sts_refuses_is_forgotten_and_the_code_asked_for_once(home, moto, sts_calls, capsys):
    setup(home, moto)
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    before = home.credentials.read_bytes()
    moto.enforce_auth()  # moto now refuses the session's keys, as STS does a revoked session

    code, _out, err = run(capsys, "assume", "admin")
    assert code == 1
    assert err.startswith("roleswitch: STS refused the MFA session of corp (it expired or was revoked)")
    assert err.rstrip().endswith("admin needs an MFA code; pass --mfa-code CODE.")
    assert err.count("\n") == 1
    assert list(cache_folder(home).glob("mfa-*.json")) == []
    assert home.credentials.read_bytes() == before


def test_logout_forgets_the_mfa_session(home, moto, sts_calls, capsys):
    setup(home, moto)
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    code, out, _err = run(capsys, "logout")
    assert code == 0
    assert out.startswith("Forgot 1 MFA session and 0 cached role credentials")
    assert run(capsys, "assume", "admin")[0] == 1  # a code is needed again


# --- credential_process --------------------------------------------------------------


def test_credential_process_profile_works_for_boto3_and_is_served_from_cache(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    config_before = home.config.read_text()
    code, _out, err = run(capsys, "add-profile", "admin", "--name", "admin-sdk")
    assert code == 0, err
    text = home.config.read_text()
    assert text.startswith(config_before)
    assert "[profile admin-sdk]\ncredential_process = " in text and "credential-process admin\n" in text
    assert "credential-process admin\nregion = us-east-1\n" in text  # the source profile's region

    import boto3

    arns = []
    keys = []
    for _ in range(2):  # two separate programs' worth of sessions
        session = boto3.Session(profile_name="admin-sdk")
        arns.append(session.client("sts").get_caller_identity()["Arn"])
        keys.append(session.get_credentials().get_frozen_credentials().access_key)
    assert arns[0].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert arns[0] == arns[1]
    assert keys[0] == keys[1]
    assert sts_calls["AssumeRole"] == 1  # the second program got the cached credentials
    entries = list(cache_folder(home).glob("role-*.json"))
    assert len(entries) == 1 and stat.S_IMODE(entries[0].stat().st_mode) == 0o600


def test_boto3_keeps_working_across_a_refresh(home, moto, sts_calls, capsys):
    # 15-minute credentials are inside botocore's refresh window from the start, so
    # botocore runs the process again before each call. roleswitch serves its cached
    # answer for the first two thirds of the session; the entry is then aged past that.
    setup(home, moto, mfa=False, duration="900")
    assert run(capsys, "add-profile", "admin", "--name", "admin-sdk")[0] == 0

    import boto3

    session = boto3.Session(profile_name="admin-sdk")
    client = session.client("sts")
    credentials = session.get_credentials()
    seen = []
    for _ in range(3):
        assert client.get_caller_identity()["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
        seen.append(credentials.get_frozen_credentials().access_key)
    assert len(set(seen)) == 1 and sts_calls["AssumeRole"] == 1  # served from the cache

    (entry,) = cache_folder(home).glob("role-*.json")
    data = json.loads(entry.read_text())
    now = datetime.now(UTC)
    data["Obtained"] = (now - timedelta(seconds=700)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data["Expiration"] = (now + timedelta(seconds=200)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry.write_text(json.dumps(data))
    assert client.get_caller_identity()["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert credentials.get_frozen_credentials().access_key != seen[0]  # refreshed
    assert sts_calls["AssumeRole"] == 2


def test_credential_process_prints_only_the_sdk_json(home, moto, sts_calls):
    setup(home, moto, mfa=False)
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert data["Version"] == 1
    assert data["Expiration"].endswith("Z")
    assert done.stderr == ""


def test_credential_process_never_prompts_for_mfa(home, moto, sts_calls):
    setup(home, moto)
    done = cli("credential-process", "admin", stdin=None)  # even with a stdin it could read
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (
        "roleswitch: admin needs an MFA session, and credential-process never asks for a code; "
        "run `roleswitch assume admin` (or open the app) once, then retry.\n"
    )
    assert sts_calls["AssumeRole"] == 0


def test_credential_process_uses_the_mfa_session_of_an_earlier_assume(home, moto, sts_calls, capsys):
    setup(home, moto)
    assert run(capsys, "assume", "admin", "--mfa-code", "123456")[0] == 0
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["Version"] == 1
    assert sts_calls["GetSessionToken"] == 1


def test_add_profile_refuses_a_profile_it_did_not_write(home, moto, capsys):
    setup(home, moto, mfa=False)
    home.config.write_text(home.config.read_text() + "\n[profile mine]\nregion = eu-west-1\n")
    before = home.config.read_bytes()
    code, _out, err = run(capsys, "add-profile", "admin", "--name", "mine")
    assert code == 1
    assert "was not written by roleswitch" in err
    code, _out, err = run(capsys, "add-profile", "admin", "--name", "corp")
    assert code == 1 and "source profile" in err
    assert home.config.read_bytes() == before


def test_add_profile_twice_then_remove_leaves_the_file_as_it_was(home, moto, capsys):
    setup(home, moto, mfa=False)
    before = home.config.read_bytes()
    assert run(capsys, "add-profile", "admin")[0] == 0
    code, out, err = run(capsys, "add-profile", "admin")
    assert code == 0, err
    # 'admin' is the person's own role profile, so the SDK profile gets its own name
    assert "Use it with AWS_PROFILE=admin-roleswitch" in out
    assert home.config.read_text().count("[profile admin-roleswitch]") == 1
    code, out, err = run(capsys, "remove-profile", "admin")
    assert code == 1 and "was not written by roleswitch" in err
    code, out, err = run(capsys, "remove-profile", "admin-roleswitch")
    assert code == 0, err
    assert home.config.read_bytes() == before


# --- exec -------------------------------------------------------------------------------


def test_exec_passes_the_exit_status_through_and_leaves_files_alone(home, moto, sts_calls):
    setup(home, moto, mfa=False)
    credentials_before = home.credentials.read_bytes()
    done = cli("exec", "admin", "--", sys.executable, "-c", "import sys; sys.exit(3)")
    assert done.returncode == 3, done.stderr
    assert home.credentials.read_bytes() == credentials_before


def test_exec_gives_the_command_the_role(home, moto, sts_calls):
    setup(home, moto, mfa=False)
    program = (
        "import os, boto3; "
        "print(boto3.client('sts').get_caller_identity()['Arn']); "
        "print(os.environ['AWS_REGION'], os.environ['AWS_CREDENTIAL_EXPIRATION'][-1])"
    )
    done = cli("exec", "admin", "--", sys.executable, "-c", program)
    assert done.returncode == 0, done.stderr
    arn, region = done.stdout.splitlines()
    assert arn.startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert region == "us-east-1 Z"


def test_exec_passes_a_signal_death_through(home, moto, sts_calls):
    setup(home, moto, mfa=False)
    done = cli("exec", "admin", "--", "sh", "-c", "kill -TERM $$")
    assert done.returncode == -15


def test_exec_of_a_missing_command_says_so(home, moto, sts_calls):
    setup(home, moto, mfa=False)
    done = cli("exec", "admin", "--", "no-such-command-here")
    assert done.returncode == 127
    assert done.stderr == "roleswitch: command not found: no-such-command-here\n"


def test_credential_process_against_a_dead_endpoint_prints_nothing_and_one_line(home, moto, monkeypatch):
    setup(home, moto, mfa=False)
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{port}")
    done = cli("credential-process", "admin")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("roleswitch: Could not connect to STS") and done.stderr.count("\n") == 1
    assert list(cache_folder(home).glob("role-*.json")) == []


def test_add_profile_leaves_a_config_it_cannot_read_untouched(home, moto, capsys):
    setup(home, moto, mfa=False)
    home.toml.parent.mkdir(parents=True, exist_ok=True)
    home.toml.write_text(
        '[accounts.prod]\nid = "111111111111"\nsource_profile = "corp"\n\n[[accounts.prod.roles]]\nname = "Admin"\n'
    )
    home.config.write_bytes(home.config.read_bytes() + b"\n# caf\xe9\n")  # Latin-1, not UTF-8
    before = home.config.read_bytes()
    code, _out, err = run(capsys, "add-profile", "prod/Admin", "--name", "admin-sdk")
    assert code == 1
    warning, refusal = err.splitlines()  # the catalogue's warning, then the refusal
    assert "is not valid UTF-8" in warning
    assert refusal.endswith("is not valid UTF-8 (byte 127); roleswitch will not edit it.")
    assert home.config.read_bytes() == before
