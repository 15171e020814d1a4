"""Issue 15 on the command line, against moto's STS: several sessions (assume --profile, a
target's own profile, status --all), --region, and production that asks first (--yes, a
y/N prompt on a terminal, one sentence otherwise), with usage recorded."""

from __future__ import annotations

import json
import os
import pty
import sys

import pytest

from roleswitch.cli import main
from roleswitch.core.credential_process import CHAIN_VARIABLE
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.usage import UsageStore

TOML = """\
[settings]
source_profile = "corp"
region = "eu-west-1"

[environments.production]
colour = "red"
confirm = true

[accounts.prod]
id = "123456789012"
environment = "production"
tags = ["pci"]

[[accounts.prod.roles]]
name = "Admin"
profile = "prod"

[accounts.dev]
id = "123456789012"

[[accounts.dev.roles]]
name = "Dev"
arn = "arn:aws:iam::123456789012:role/Dev"
"""
ROLESWITCH = [sys.executable, "-m", "roleswitch"]
KEEP = "# my keys, kept\n[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"


@pytest.fixture
def roles(home, moto):
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    moto.create_role("Dev", user_arn)
    home.write(config="", credentials=KEEP.format(key=key, secret=secret), toml=TOML)
    return home


def run(capsys, *argv):
    code = main(list(argv))
    os.environ.pop(CHAIN_VARIABLE, None)  # as when the process ends
    out = capsys.readouterr()
    return code, out.out, out.err


def test_several_sessions_and_status_all(roles, capsys):
    before = roles.credentials.read_text()
    code, out, err = run(capsys, "assume", "dev/Dev", "--profile", "ci", "--region", "ap-southeast-2")
    assert code == 0, err
    assert "Profile [ci] in" in out and "AWS_PROFILE=ci" in out
    code, out, err = run(capsys, "assume", "dev/Dev")
    assert code == 0, err
    assert "Profile [default] in" in out and "AWS_PROFILE" not in out
    # the target's own profile, without --profile; production asks, --yes answers
    code, out, err = run(capsys, "assume", "prod/Admin", "--yes")
    assert code == 0, err
    assert "Profile [prod] (prod/Admin's own profile) in" in out
    assert roles.credentials.read_text().startswith(before)
    sessions = CredentialsFile().sessions()
    assert [(s.profile, s.target_name, s.region) for s in sessions] == [
        ("ci", "dev/Dev", "ap-southeast-2"),
        ("default", "dev/Dev", "eu-west-1"),
        ("prod", "prod/Admin", "eu-west-1"),
    ]

    code, out, err = run(capsys, "status", "--all")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["PROFILE", "TARGET", "ENVIRONMENT", "REGION", "LEFT"]
    assert lines[1].split()[:4] == ["ci", "dev/Dev", "-", "ap-southeast-2"]
    assert lines[2].split()[:5] == ["*", "default", "dev/Dev", "-", "eu-west-1"]
    assert lines[3].split()[:4] == ["prod", "prod/Admin", "production", "eu-west-1"]
    assert all(line.endswith(" left") for line in lines[1:])

    code, out, err = run(capsys, "status", "--all", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["profile"], r["active_profile"], r["state"], r["environment"], r["region"]) for r in rows] == [
        ("ci", False, "active", None, "ap-southeast-2"),
        ("default", True, "active", None, "eu-west-1"),
        ("prod", False, "active", "production", "eu-west-1"),
    ]
    assert all(r["seconds_left"] > 3000 and r["account_id"] == "123456789012" for r in rows)
    assert "secret" not in out.lower() and "token" not in out.lower()
    # the prompt form stays one section
    code, out, _ = run(capsys, "status", "--short")
    assert code == 0 and out.startswith("dev/Dev ")

    # every assume was counted for the app's Recent group
    assert set(UsageStore().load().recent()) == {"dev/Dev", "prod/Admin"}


def test_status_all_with_no_sessions(roles, capsys):
    assert run(capsys, "status", "--all") == (4, f"No sessions of roleswitch's in {roles.credentials}.\n", "")
    assert run(capsys, "status", "--all", "--json") == (4, "[]\n", "")
    code, _, err = run(capsys, "status", "--all", "--short")
    assert code == 2 and "--short" in err


def test_region_is_exported_by_env(roles, capsys):
    code, out, err = run(capsys, "env", "dev/Dev", "--region", "ca-central-1")
    assert code == 0, err
    assert "export AWS_REGION=ca-central-1" in out and "export AWS_DEFAULT_REGION=ca-central-1" in out
    assert UsageStore().load().recent() == ("dev/Dev",)
    with pytest.raises(SystemExit) as exited:
        main(["env", "dev/Dev", "--region", "nowhere"])
    assert exited.value.code == 2 and "region 'nowhere' is not a region name" in capsys.readouterr().err


def test_exec_runs_the_command_in_the_region(roles, tmp_path):
    import subprocess

    script = f"import os; open({str(tmp_path / 'env')!r}, 'w').write(os.environ['AWS_REGION'])"
    done = subprocess.run(
        [*ROLESWITCH, "exec", "dev/Dev", "--region", "sa-east-1", "--", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "env").read_text() == "sa-east-1"


@pytest.mark.parametrize(
    "argv",
    [
        ["assume", "prod/Admin"],
        ["env", "prod/Admin"],
        ["exec", "prod/Admin", "--", "true"],
        ["console", "prod/Admin", "--print"],
        ["serve", "prod/Admin", "--", "true"],
    ],
)
def test_production_without_a_terminal_is_refused_in_one_sentence_naming_yes(
    roles, moto, capsys, monkeypatch, argv
):
    def no_exec(*args):
        raise AssertionError("the command ran")

    monkeypatch.setattr(os, "execvpe", no_exec)  # exec must not replace the test
    before = roles.credentials.read_bytes()
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith("roleswitch: prod/Admin is in production, which asks before every assume")
    assert "--yes" in err and err.count("\n") == 1
    assert roles.credentials.read_bytes() == before
    assert UsageStore().load().recent() == ()


def read_all(fd: int) -> str:
    """What the terminal shows so far (the pty hands it over in pieces)."""
    import select

    said = b""
    while select.select([fd], [], [], 0.2)[0]:
        said += os.read(fd, 4096)
    return said.decode()


def test_the_prompt_on_a_terminal_takes_y_and_refuses_anything_else(roles, capsys, monkeypatch):
    master, slave = pty.openpty()
    try:
        tty_in = open(slave, closefd=False)  # noqa: SIM115 - closed below
        tty_err = open(slave, "w", closefd=False)  # noqa: SIM115
        monkeypatch.setattr(sys, "stdin", tty_in)
        monkeypatch.setattr(sys, "stderr", tty_err)
        before = roles.credentials.read_bytes()
        os.write(master, b"\n")  # Enter: the default, No
        assert main(["assume", "prod/Admin"]) == 1
        said = read_all(master)
        assert "Assume prod/Admin (production)? [y/N]" in said
        assert "Not confirmed: prod/Admin is in production, and nothing was assumed." in said
        assert roles.credentials.read_bytes() == before
        os.write(master, b"y\n")
        assert main(["assume", "prod/Admin"]) == 0
        assert CredentialsFile().read_active("prod") is not None
    finally:
        tty_in.close()
        tty_err.close()
        os.close(master)
        os.close(slave)


def test_credential_process_needs_yes_on_both_paths_and_add_profile_writes_it(roles, capsys, monkeypatch):
    from roleswitch.core import file_identity

    monkeypatch.setattr(file_identity, "SETTLED_NS", 0)  # the hint is written at once
    code, out, err = run(capsys, "credential-process", "prod/Admin")
    assert code == 1 and out == ""
    assert "credential-process never asks" in err and "--yes" in err and err.count("\n") == 1
    code, out, err = run(capsys, "credential-process", "prod/Admin", "--yes")
    assert code == 0, err
    first = json.loads(out)
    # the fast path (a cache hit) refuses as well, and answers the same with --yes
    from roleswitch import cli

    def no_full_path():
        raise AssertionError("the full path ran")

    with monkeypatch.context() as patched:
        patched.setattr(cli, "build_parser", no_full_path)
        code, out, err = run(capsys, "credential-process", "prod/Admin")
        assert code == 1 and "credential-process never asks" in err and err.count("\n") == 1
        code, out, err = run(capsys, "credential-process", "--yes", "prod/Admin")
        assert code == 0 and json.loads(out) == first

    code, out, err = run(capsys, "add-profile", "prod/Admin")
    assert code == 1 and "--yes" in err and not roles.config.read_text()
    code, out, err = run(capsys, "add-profile", "prod/Admin", "--yes")
    assert code == 0, err
    assert "credential-process prod/Admin --yes" in roles.config.read_text()
    code, out, err = run(capsys, "add-profile", "dev/Dev")
    assert code == 0 and "credential-process dev/Dev\n" in roles.config.read_text()


def test_list_shows_environment_tags_profile_and_pins(roles, capsys):
    UsageStore().toggle_pin("dev/Dev")
    code, out, err = run(capsys, "list")
    assert code == 0, err
    admin = next(line for line in out.splitlines() if "prod/Admin" in line)
    dev = next(line for line in out.splitlines() if "dev/Dev" in line)
    assert "env=production" in admin and "tags=pci" in admin and "profile=[prod]" in admin
    assert "pinned" in dev and "pinned" not in admin
    code, out, err = run(capsys, "list", "--json")
    rows = {row["name"]: row for row in json.loads(out)}
    assert (rows["prod/Admin"]["environment"], rows["prod/Admin"]["tags"], rows["prod/Admin"]["profile"]) == (
        "production",
        ["pci"],
        "prod",
    )
    assert rows["dev/Dev"]["pinned"] and not rows["prod/Admin"]["pinned"]


def test_a_targets_own_profile_holding_keys_is_refused_naming_that_setting(roles, capsys):
    """[prod] comes from prod/Admin's `profile = "prod"`: the refusal points there, not at
    the active profile the person never chose here."""
    with open(roles.credentials, "a") as file:
        file.write("\n[prod]\naws_access_key_id = AKIAHANDWRITTEN00001\naws_secret_access_key = x\n")
    before = roles.credentials.read_bytes()
    code, _out, err = run(capsys, "assume", "prod/Admin", "--yes")
    assert code == 1
    assert 'its profile = "prod" in roleswitch\'s config' in err and "active_profile" not in err, err
    assert roles.credentials.read_bytes() == before


def test_a_region_botocore_does_not_know_is_written_with_a_note(roles, capsys):
    code, _out, err = run(capsys, "assume", "dev/Dev", "--profile", "r9", "--region", "eu-west-9")
    assert code == 0
    assert "eu-west-9 is not a region botocore knows in the aws partition" in err, err
    assert "region = eu-west-9" in roles.credentials.read_text()
    code, _out, err = run(capsys, "assume", "dev/Dev", "--profile", "r9", "--region", "eu-west-3")
    assert code == 0 and "botocore knows" not in err


@pytest.mark.parametrize("command", [["assume", "dev/Dev"], ["status"], ["clear"]])
def test_a_profile_name_no_section_can_hold_is_a_usage_error(roles, capsys, command):
    before = roles.credentials.read_bytes()
    with pytest.raises(SystemExit) as exited:  # argparse's usage error
        main([*command, "--profile", "a]b"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "is not a plain section name" in err, err
    assert roles.credentials.read_bytes() == before
