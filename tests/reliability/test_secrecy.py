"""Secrets appear only in the credentials file and `roleswitch env`'s stdout.

Every CLI command runs as a real process against moto's server (11 runs, failures
included) with the source's long-term secret known; the temporary secrets and tokens
are read back from the credentials file and env's output. None may appear in any
other stdout, any stderr, any exception or any repr.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.sts import StsClient
from tests.reliability.writer_proc import result

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def secrets_in(text: str) -> set[str]:
    return set(re.findall(r"(?:aws_secret_access_key|aws_session_token) = (\S+)", text)) | set(
        re.findall(r"AWS_(?:SECRET_ACCESS_KEY|SESSION_TOKEN)='?([^'\s]+)", text)
    )


def test_no_command_leaks_a_secret(home, moto):
    user_arn, key, source_secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    moto.create_role("Auditor", "arn:aws:iam::123456789012:user/nobody")
    home.write(
        config="[profile corp]\nregion = eu-west-1\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
        "[profile auditor]\nrole_arn = arn:aws:iam::123456789012:role/Auditor\nsource_profile = corp\n"
        "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {source_secret}\n",
    )
    moto.enforce_auth()
    runs = [
        run("assume", "admin"),
        run("list"),
        run("list", "--json"),
        run("status"),
        run("status", "--json"),
        run("status", "--short"),
        run("assume", "auditor"),
        run("assume", "mfa", "--mfa-code", "12"),
        run("assume", "admin", "--duration", "2h"),
    ]
    env_run = run("env", "admin")
    runs.append(run("clear"))
    assert env_run.returncode == 0 and runs[0].returncode == 0 and runs[6].returncode == 1
    secrets = {source_secret} | secrets_in(env_run.stdout)
    # Re-assume to have a session in the file, and take its secrets too.
    assume = run("assume", "admin")
    runs.append(assume)
    secrets |= secrets_in(home.credentials.read_text())
    assert len(secrets) >= 5
    for proc in runs:
        for stream in (proc.stdout, proc.stderr):
            for secret in secrets:
                assert secret not in stream, (proc.args, secret[:4])
    for secret in secrets_in(env_run.stdout):
        assert secret in env_run.stdout  # env is the one place they are printed, on purpose
    assert env_run.stderr == ""


def test_no_repr_or_str_shows_a_secret(home):
    r = result("default", 3)
    objects = [r, r.credentials, CredentialsFile(), StsClient()]
    home.credentials.write_text("")
    CredentialsFile().write("default", r)
    objects.append(CredentialsFile().read_active("default"))
    objects.append(CredentialsFile().read_credentials("default"))
    for obj in objects:
        for text in (repr(obj), str(obj)):
            assert "secret-default-3" not in text and "token-3" not in text, type(obj)


def test_debug_logging_never_records_a_secret(home, moto, caplog):
    """Even with every logger at DEBUG (botocore logs whole response bodies there)."""
    import logging

    from roleswitch.core.catalogue import load_catalogue

    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials="[corp]\naws_access_key_id = AKIAFAKEFAKE00000001\naws_secret_access_key = source-secret\n",
    )
    caplog.set_level(logging.DEBUG)
    catalogue = load_catalogue()
    got = StsClient().assume(catalogue.find("admin"), settings=catalogue.settings)
    logged = caplog.text
    assert got.credentials.secret_access_key not in logged
    assert got.credentials.session_token not in logged
    assert "source-secret" not in logged


def test_mfa_sessions_sdk_profiles_and_exec_leak_nothing(home, moto):
    """The cache and credential-process's stdout hold secrets on purpose; nothing else does."""
    import json

    from roleswitch.core.mfa_sessions import MfaSessionStore
    from roleswitch.core.role_cache import RoleCredentialsCache
    from roleswitch.core.sdk_profiles import SdkProfiles

    user_arn, key, source_secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    home.write(
        config="[profile corp]\nregion = eu-west-1\n"
        "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {source_secret}\n",
    )
    runs = [
        run("assume", "mfa", "--mfa-code", "123456"),
        run("assume", "mfa"),
        run("add-profile", "mfa"),
        run("exec", "mfa", "--", sys.executable, "-c", "print('ran')"),
        run("list"),
        run("status", "--json"),
    ]
    process = run("credential-process", "mfa")
    cached = [json.loads(f.read_text()) for f in (home.root / ".cache" / "roleswitch").glob("[mr]*-*.json")]
    assert len(cached) == 2  # the MFA session and credential-process's role credentials
    runs.append(run("logout"))
    assert all(proc.returncode == 0 for proc in runs), [(p.args, p.stderr) for p in runs]
    assert process.returncode == 0 and process.stderr == ""
    from_process = json.loads(process.stdout)
    secrets = {source_secret, from_process["SecretAccessKey"], from_process["SessionToken"]}
    secrets |= secrets_in(home.credentials.read_text())
    secrets |= {entry[k] for entry in cached for k in ("SecretAccessKey", "SessionToken")}
    assert len(secrets) >= 7
    for proc in runs:
        for stream in (proc.stdout, proc.stderr):
            for secret in secrets:
                assert secret not in stream, (proc.args, secret[:4])
    for obj in (MfaSessionStore(), RoleCredentialsCache(), SdkProfiles()):
        for secret in secrets:
            assert secret not in repr(obj)
