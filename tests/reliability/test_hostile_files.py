"""Hostile AWS files, attacked through the real `roleswitch` process and judged by botocore.

Each test reproduces an attack on the INI files: a file or name that roleswitch read
one way and botocore another, or a value that would inject sections into the file.
roleswitch runs as its own process against real files (moto's STS where an assume is
needed); the result is judged with botocore's own parser, never roleswitch's.
The rule: roleswitch and botocore agree on every section, or roleswitch refuses with one
sentence and leaves the file byte for byte as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

USER_KEY = "AKIAUSERLONGTERM0001"


def cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=os.environ.copy(),
        timeout=60,
    )


def refused(proc: subprocess.CompletedProcess, *, code: int = 1) -> bool:
    """Exit 1 (or `code`) with one sentence on stderr and no traceback."""
    return proc.returncode == code and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def setup_role(home, moto, credentials_extra: bytes = b"", *, config_extra: str = "") -> None:
    """A user `corp` with keys in the credentials file, a role profile `admin` using it."""
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    home.config.write_text(
        f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\nregion = eu-west-1\n" + config_extra
    )
    home.credentials.write_bytes(
        f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n\n".encode()
        + credentials_extra
    )
    home.credentials.chmod(0o600)


def botocore_sections(path: Path) -> dict:
    return raw_config_parse(str(path), parse_subsections=False)


# --- 1. lone CR line endings -------------------------------------------------------------


def test_a_stray_cr_does_not_hide_long_term_keys_from_the_editor(home, moto):
    """botocore reads `\\r` as a line break: the user's [default] holds long-term keys."""
    setup_role(home, moto, f"[default]\raws_access_key_id = {USER_KEY}\raws_secret_access_key = s\n".encode())
    before = home.credentials.read_bytes()
    assert botocore_sections(home.credentials)["default"]["aws_access_key_id"] == USER_KEY

    proc = cli("assume", "admin")

    assert refused(proc), proc
    assert "did not write" in proc.stderr
    assert home.credentials.read_bytes() == before


def test_an_old_mac_file_with_a_foreign_default_is_not_given_a_second_default(home, moto):
    """All CR: roleswitch once saw one long line, appended [default], and botocore then
    refused the whole file (two [default] sections)."""
    setup_role(home, moto)
    corp = home.credentials.read_bytes()
    home.credentials.write_bytes(
        corp + f"[default]\raws_access_key_id = {USER_KEY}\raws_secret_access_key = s\r".encode()
    )
    before = home.credentials.read_bytes()

    proc = cli("assume", "admin")

    assert refused(proc), proc
    assert home.credentials.read_bytes() == before
    assert botocore_sections(home.credentials)["default"]["aws_access_key_id"] == USER_KEY


def test_a_cr_only_file_is_edited_as_botocore_reads_it_and_restored_by_clear(home, moto):
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    home.config.write_text(f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n")
    original = (
        f"# old Mac file\r[corp]\raws_access_key_id = {key}\raws_secret_access_key = {secret}\r".encode()
    )
    home.credentials.write_bytes(original)

    proc = cli("assume", "admin")

    assert proc.returncode == 0, proc.stderr
    parsed = botocore_sections(home.credentials)
    assert parsed["corp"] == {"aws_access_key_id": key, "aws_secret_access_key": secret}
    assert parsed["default"]["aws_access_key_id"].startswith("ASIA")
    assert parsed["default"]["manager"] == "roleswitch"
    assert cli("status").returncode == 0
    assert cli("clear").returncode == 0
    assert home.credentials.read_bytes() == original


# --- 2. [DEFAULT] --------------------------------------------------------------------------


def test_assume_refuses_the_default_section_name(home, moto):
    """configparser merges [DEFAULT] into every section: other profiles would get the role."""
    setup_role(home, moto, b"[bystander]\nregion = us-west-2\n")
    before = home.credentials.read_bytes()

    proc = cli("assume", "admin", "--profile", "DEFAULT")

    assert refused(proc, code=2), proc  # a bad option value: a usage error, before any STS call
    assert "choose another name" in proc.stderr and "active_profile" not in proc.stderr, proc
    assert home.credentials.read_bytes() == before
    assert "aws_session_token" not in botocore_sections(home.credentials)["bystander"]


def test_a_default_section_with_keys_blocks_writing(home, moto):
    """Its keys would be mixed into the section roleswitch writes (and into every other)."""
    setup_role(home, moto, b"[DEFAULT]\nrole_arn = arn:aws:iam::999999999999:role/Elsewhere\n")
    before = home.credentials.read_bytes()
    assert "role_arn" in botocore_sections(home.credentials)["corp"]

    proc = cli("assume", "admin")

    assert refused(proc), proc
    assert "[DEFAULT]" in proc.stderr
    assert home.credentials.read_bytes() == before


def test_add_profile_refuses_the_default_section_name(home, moto):
    setup_role(home, moto)
    before = home.config.read_bytes()

    proc = cli("add-profile", "admin", "--name", "DEFAULT")

    assert refused(proc), proc
    assert home.config.read_bytes() == before


def test_add_profile_refuses_a_config_whose_default_section_has_keys(home, moto):
    """[DEFAULT] role_arn would turn roleswitch's credential_process profile into a role profile."""
    setup_role(home, moto, config_extra="\n[DEFAULT]\nrole_arn = arn:aws:iam::999999999999:role/Elsewhere\n")
    before = home.config.read_bytes()

    proc = cli("add-profile", "admin", "--name", "sdk")

    assert refused(proc), proc
    assert "[DEFAULT]" in proc.stderr
    assert home.config.read_bytes() == before


# --- a byte-order mark, which botocore does not skip ---------------------------------------


def test_assume_and_add_profile_refuse_files_botocore_cannot_parse_for_their_bom(home, moto):
    setup_role(home, moto)
    home.credentials.write_bytes(b"\xef\xbb\xbf" + home.credentials.read_bytes())
    home.config.write_bytes(b"\xef\xbb\xbf" + home.config.read_bytes())
    credentials, config = home.credentials.read_bytes(), home.config.read_bytes()

    for argv in (("assume", "admin"), ("add-profile", "admin", "--name", "sdk")):
        proc = cli(*argv)
        assert refused(proc), proc
        assert "byte-order mark" in proc.stderr
    assert (home.credentials.read_bytes(), home.config.read_bytes()) == (credentials, config)


# --- 3. header spellings botocore accepts ------------------------------------------------

SPELLINGS = ["profile  work", 'profile "work"', "profile\twork", "profile work ", "profile 'work'"]


@pytest.mark.parametrize("header", SPELLINGS)
def test_shadowing_profile_is_found_however_its_header_is_spelt(home, moto, header):
    """botocore resolves each of these headers to profile `work`, whose SSO settings win."""
    setup_role(home, moto, config_extra=f"\n[{header}]\nsso_session = corp-sso\n")
    assert "work" in raw_config_parse_profiles(home.config)
    before = home.credentials.read_bytes()

    proc = cli("assume", "admin", "--profile", "work")

    assert refused(proc), proc
    assert "sso_session" in proc.stderr
    assert home.credentials.read_bytes() == before


def raw_config_parse_profiles(path: Path) -> dict:
    from botocore.configloader import load_config

    return load_config(str(path))["profiles"]


@pytest.mark.parametrize("header", ['profile "admin-roleswitch"', "profile  admin-roleswitch"])
def test_add_profile_never_hides_a_users_profile_spelt_differently(home, moto, header):
    setup_role(home, moto, config_extra=f"\n[{header}]\nsso_session = corp-sso\nsso_role_name = Mine\n")
    before = home.config.read_bytes()

    proc = cli("add-profile", "admin")

    assert refused(proc), proc
    assert home.config.read_bytes() == before
    assert raw_config_parse_profiles(home.config)["admin-roleswitch"]["sso_role_name"] == "Mine"


def test_default_spelt_as_profile_default_shadows_too(home, moto):
    setup_role(home, moto, config_extra='\n[profile "default"]\ncredential_process = /bin/true\n')
    before = home.credentials.read_bytes()

    proc = cli("assume", "admin")

    assert refused(proc), proc
    assert home.credentials.read_bytes() == before


# --- 4. values that would inject sections ------------------------------------------------

TOML_ACCOUNT = """
[accounts.prod]
id = "111111111111"
source_profile = "corp"
{account_extra}

[[accounts.prod.roles]]
name = {role_name}
{role_extra}
"""


@pytest.mark.parametrize(
    ("account_extra", "role_name", "role_extra"),
    [
        ("", '"Admin"', 'region = "eu-west-1\\n[profile evil]\\ncredential_process = touch /tmp/pwned"'),
        ('region = "eu-west-1\\r[x]"', '"Admin"', ""),
        ("", '"Admin\\n[profile evil]\\ncredential_process = touch /tmp/pwned"', ""),
    ],
)
def test_toml_values_with_line_breaks_never_reach_the_config_file(home, account_extra, role_name, role_extra):
    home.write(
        config="[profile corp]\nregion = eu-west-1\n",
        credentials="[corp]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = s\n",
        toml=TOML_ACCOUNT.format(account_extra=account_extra, role_name=role_name, role_extra=role_extra),
    )
    before = home.config.read_bytes()
    listed = json.loads(cli("list", "--json").stdout)
    assert [t["valid"] for t in listed if t["name"].startswith("prod/")] == [False]

    target = "prod/" + role_name.strip('"').replace("\\n", "\n")
    proc = cli("add-profile", target, "--name", "prod-admin")

    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc
    assert home.config.read_bytes() == before
    assert "evil" not in raw_config_parse_profiles(home.config)


@pytest.mark.parametrize("profile", ["work]\n[corp", "work\nmanager = roleswitch", " work", "a[b]"])
def test_assume_refuses_a_profile_name_that_is_not_a_plain_section_name(home, moto, profile):
    setup_role(home, moto)
    before = home.credentials.read_bytes()

    proc = cli("assume", "admin", "--profile", profile)

    assert refused(proc, code=2), proc  # a bad option value: a usage error, before any STS call
    assert home.credentials.read_bytes() == before


def test_active_profile_from_toml_with_a_line_break_is_not_written(home, moto):
    setup_role(home, moto)
    corp_before = botocore_sections(home.credentials)["corp"]
    home.toml.parent.mkdir(parents=True, exist_ok=True)
    home.toml.write_text('[settings]\nactive_profile = "x]\\n[corp"\n')

    proc = cli("assume", "admin")

    assert "Traceback" not in proc.stderr
    parsed = botocore_sections(home.credentials)
    assert parsed["corp"] == corp_before
    assert set(parsed) <= {"corp", "default"}


# --- 7. round trips are byte-exact -------------------------------------------------------

ORIGINALS = [
    b"",
    b"[corp2]\naws_access_key_id = AKIAEXAMPLEEXAMPLE02",  # no final newline
    b"[corp2]\naws_access_key_id = AKIAEXAMPLEEXAMPLE02\n\n",  # a trailing blank line
    b"[corp2]\naws_access_key_id = AKIAEXAMPLEEXAMPLE02\n  \n",  # trailing whitespace line
    b"[default]\n\n[corp2]\nregion = x\n",  # an empty [default] placeholder
    b"[default]  ; mine\n# keep\n",  # a placeholder with a comment, at the end
    b"[default]",  # a placeholder without a final newline
    b"[corp2]\r\nregion = x\r\n",  # CRLF
]


@pytest.mark.parametrize("original", ORIGINALS)
def test_assume_then_clear_gives_back_the_original_bytes(home, moto, original):
    setup_role(home, moto)
    corp = home.credentials.read_bytes()
    home.credentials.write_bytes(corp + original)

    first = cli("assume", "admin")
    assert first.returncode == 0, first.stderr
    assert cli("assume", "admin").returncode == 0  # a renewal rewrites in place
    assert botocore_sections(home.credentials)["default"]["manager"] == "roleswitch"
    assert cli("clear").returncode == 0

    assert home.credentials.read_bytes() == corp + original


@pytest.mark.parametrize("original", [b"[profile corp]\nregion = x", b"[profile corp]\nregion = x\n\n", b""])
def test_add_profile_then_remove_profile_gives_back_the_original_bytes(home, moto, original):
    setup_role(home, moto)
    config = home.config.read_bytes() + original
    home.config.write_bytes(config)

    assert cli("add-profile", "admin", "--name", "sdk").returncode == 0
    assert "sdk" in raw_config_parse_profiles(home.config)
    assert cli("remove-profile", "sdk").returncode == 0

    assert home.config.read_bytes() == config
