"""The credentials-file editor: byte preservation, refusals, modes, symlinks, atomicity."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime

import pytest
from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from roleswitch.core.credentials_file import CredentialsFile, section_lines, upsert_section
from roleswitch.core.errors import CredentialsFileError, ValidationError, WriteRefused
from roleswitch.core.ini import scan
from roleswitch.core.model import AssumeResult, Credentials
from tests.factories import make_target

EXPIRY = datetime(2026, 11, 22, 13, 56, 56, tzinfo=UTC)
TARGET = make_target()


def result(n: int = 1) -> AssumeResult:
    return AssumeResult(
        target=TARGET,
        credentials=Credentials(f"ASIAEXAMPLE{n:09d}", f"secret-{n}", f"token-{n}", EXPIRY),
        assumed_arn="arn:aws:sts::111111111111:assumed-role/Admin/alice",
        region="eu-west-1",
    )


FULL = (
    "# Work credentials: do not lose this comment\n"
    "; an old-style comment\n"
    "\n"
    "[corp]\n"
    "aws_access_key_id = AKIAEXAMPLEEXAMPLE01\n"
    "aws_secret_access_key = long-term\n"
    "# comment inside corp\n"
    "\n"
    "[other]\n"
    "aws_access_key_id=AKIAOTHER\n"
    "aws_secret_access_key:other-secret\n"
)


def outside(text: str, profile: str) -> list[str]:
    """Every line of `text` that is not part of section `profile`."""
    doc = scan(text)
    skip: set[int] = set()
    for s in doc.find(profile):
        skip.update(range(s.header, s.content_end))
    return [line for i, line in enumerate(doc.lines) if i not in skip]


def test_append_then_replace_then_clear_round_trips(home):
    home.credentials.write_text(FULL)
    writer = CredentialsFile()
    writer.write("default", result(1))
    text = home.credentials.read_text()
    assert text.startswith(FULL) and "[default]\naws_access_key_id = ASIAEXAMPLE000000001\n" in text
    writer.write("default", result(2))
    text2 = home.credentials.read_text()
    assert "secret-2" in text2 and "secret-1" not in text2 and text2.count("[default]") == 1
    active = writer.read_active("default")
    assert active.target_name == "prod/Admin" and active.expiration == EXPIRY
    assert active.masked_key == "ASIA…0002" and active.region == "eu-west-1"
    assert writer.clear("default") is True
    assert home.credentials.read_text() == FULL
    assert writer.clear("default") is False


def test_section_in_the_middle_keeps_neighbours_byte_for_byte(home):
    home.credentials.write_text(FULL)
    writer = CredentialsFile()
    writer.write("mid", result(1))
    # Move our section into the middle by hand, then rewrite it.
    text = home.credentials.read_text()
    ours = text[len(FULL) + 1 :]
    middle = FULL.replace("[other]\n", ours + "\n[other]\n")
    home.credentials.write_text(middle)
    writer.write("mid", result(2))
    after = home.credentials.read_text()
    assert outside(after, "mid") == outside(middle, "mid")
    assert "secret-2" in after


def test_crlf_and_missing_final_newline_preserved(home):
    original = FULL.replace("\n", "\r\n").rstrip("\r\n")
    home.credentials.write_bytes(original.encode())
    writer = CredentialsFile()
    writer.write("default", result())
    data = home.credentials.read_bytes()
    assert data.startswith(original.encode() + b"\r\n")
    assert b"\n[default]\r\naws_access_key_id" in data and b"\r\r" not in data
    # Replacing a last section that lacks a final newline keeps it lacking one.
    home.credentials.write_bytes(data.rstrip(b"\r\n"))
    writer.write("default", result(2))
    assert not home.credentials.read_bytes().endswith(b"\n")


def test_a_file_with_a_byte_order_mark_is_refused_untouched(home):
    """botocore cannot parse a file that starts with a BOM: credentials written there are never used."""
    original = b"\xef\xbb\xbf[corp]\naws_access_key_id = A\n"
    home.credentials.write_bytes(original)
    with pytest.raises(ConfigParseError):
        raw_config_parse(str(home.credentials))
    with pytest.raises(WriteRefused, match="byte-order mark"):
        CredentialsFile().check_writable("default")
    with pytest.raises(WriteRefused, match="byte-order mark"):
        CredentialsFile().write("default", result())
    assert home.credentials.read_bytes() == original


@pytest.mark.parametrize(
    "existing",
    [
        "[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = s\n",
        "[default]\nregion = eu-west-1\n",
    ],
)
def test_refuses_sections_it_did_not_write(home, existing):
    home.credentials.write_text(existing)
    before = home.credentials.read_bytes()
    writer = CredentialsFile()
    with pytest.raises(WriteRefused, match="did not write; choose another active profile"):
        writer.write("default", result())
    with pytest.raises(WriteRefused):
        writer.check_writable("default")
    with pytest.raises(WriteRefused):
        writer.clear("default")
    assert home.credentials.read_bytes() == before
    assert writer.read_active("default") is None


@pytest.mark.parametrize(
    "config",
    [
        "[default]\nrole_arn = arn:aws:iam::111111111111:role/X\nsource_profile = corp\n",
        "[profile work]\nsso_session = corp\n",
        "[profile work]\ncredential_process = /bin/get-creds\n",
    ],
)
def test_refuses_profile_shadowed_by_config(home, config):
    home.config.write_text(config)
    profile = "default" if config.startswith("[default]") else "work"
    with pytest.raises(WriteRefused, match="would ignore credentials"):
        CredentialsFile().write(profile, result())
    assert not home.credentials.exists()


def test_a_config_edited_between_two_writes_is_read_again(home):
    """The writer remembers a profile it found not shadowed only while the config file's
    size, times and inode stay the same: an edit of the same length is still seen."""
    home.config.write_text("[profile work]\nregion = eu-west-1\n")
    writer = CredentialsFile()
    writer.write("work", result(1))
    before = home.credentials.read_bytes()
    home.config.write_text("[profile work]\nsso_session = corp\n")  # same length as before
    with pytest.raises(WriteRefused, match="would ignore credentials"):
        writer.write("work", result(2))
    assert home.credentials.read_bytes() == before


def test_refuses_duplicate_sections(home):
    text = "[default]\nmanager = roleswitch\n[default]\nmanager = roleswitch\n"
    home.credentials.write_text(text)
    with pytest.raises(WriteRefused, match="more than once"):
        CredentialsFile().write("default", result())
    assert home.credentials.read_text() == text


def test_new_file_is_0600_in_a_0700_folder_and_existing_mode_kept(home, tmp_path, monkeypatch):
    path = tmp_path / "fresh" / "aws" / "credentials"
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(path))
    CredentialsFile().write("default", result())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    os.chmod(path, 0o640)
    CredentialsFile().write("default", result(2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    leftovers = [p.name for p in path.parent.iterdir() if p.name != "credentials"]
    assert leftovers == []  # no temporary or lock file left behind


def test_symlink_stays_a_link_and_target_is_updated(home, tmp_path):
    real = tmp_path / "vault" / "creds"
    real.parent.mkdir()
    real.write_text(FULL)
    home.credentials.symlink_to(real)
    CredentialsFile().write("default", result())
    assert home.credentials.is_symlink()
    assert "[default]" in real.read_text() and real.read_text().startswith(FULL)


def test_dangling_symlink_and_directory_give_clear_errors(home, tmp_path):
    home.credentials.symlink_to(tmp_path / "missing")
    with pytest.raises(CredentialsFileError, match="which does not exist"):
        CredentialsFile().write("default", result())
    assert not (tmp_path / "missing").exists()
    home.credentials.unlink()
    home.credentials.mkdir()
    with pytest.raises(CredentialsFileError, match="is a directory"):
        CredentialsFile().write("default", result())


def test_invalid_utf8_is_never_rewritten(home):
    data = b"[corp]\naws_secret_access_key = \xff\xfe\n"
    home.credentials.write_bytes(data)
    with pytest.raises(CredentialsFileError, match="not valid UTF-8"):
        CredentialsFile().write("default", result())
    assert home.credentials.read_bytes() == data


def test_failed_replace_leaves_file_and_no_temp(home, monkeypatch):
    home.credentials.write_text(FULL)

    def boom(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(CredentialsFileError, match="disk is full"):
        CredentialsFile().write("default", result())
    assert home.credentials.read_text() == FULL
    assert sorted(p.name for p in home.credentials.parent.iterdir()) == ["credentials"]


def test_repr_never_shows_secrets():
    r = result(7)
    for text in (repr(r), str(r), repr(r.credentials), str(r.credentials)):
        assert "secret-7" not in text and "token-7" not in text


# --- property: any existing text, any update --------------------------------

_names = st.text(alphabet="abcdefghij-_.", min_size=1, max_size=8)
_line = st.one_of(
    st.builds(lambda n: f"[{n}]", _names),
    st.builds(lambda k, v: f"{k} = {v}", _names, st.text(alphabet="abcXYZ0123/+= ", max_size=12)),
    st.sampled_from(["", "# comment", "; other comment", "   ", "\tindented = x", "garbage line"]),
)
_text = st.builds(
    lambda lines, nl, final: nl.join(lines) + (nl if final and lines else ""),
    st.lists(_line, max_size=25),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_text, profile=st.sampled_from(["default", "rs", "a"]), n=st.integers(0, 999))
def test_property_only_our_section_changes(text, profile, n):
    doc = scan(text)
    found = doc.find(profile)
    ours_ok = len(found) <= 1 and (not found or not found[0].values)
    if not ours_ok:
        return  # a refusal case; refusals are tested above
    new = upsert_section(text, profile, [f"[{profile}]", "manager = roleswitch", f"aws_access_key_id = K{n}"])
    # Every line outside the managed section is unchanged, in order.
    assert [line.rstrip("\r\n") for line in outside(new, profile) if line.strip()] == [
        line.rstrip("\r\n") for line in outside(text, profile) if line.strip()
    ]
    if found:
        assert outside(new, profile) == outside(text, profile)
    else:
        assert new.startswith(text.rstrip("\r\n") if not text.endswith("\n") else text)
    # Reading back gives the new values.
    back = scan(new).find(profile)
    assert len(back) == 1 and back[0].values["aws_access_key_id"] == f"K{n}"


def test_refuses_to_write_over_the_roles_own_source_profile(home):
    with pytest.raises(WriteRefused, match="source profile is 'corp'"):
        CredentialsFile().check_writable("corp", source_profile="corp")
    CredentialsFile().check_writable("default", source_profile="corp")  # any other profile is fine
    assert not home.credentials.exists()


def test_refuses_a_section_with_a_line_that_is_not_a_key(home):
    """Found by fuzzing: an indented junk line would become part of roleswitch's last value."""
    home.credentials.write_text("[default]\n\tjunk\n[other]\na = b\n")
    before = home.credentials.read_bytes()
    with pytest.raises(WriteRefused, match=r"line that is not `key = value` \(line 2\)"):
        CredentialsFile().write("default", result())
    assert home.credentials.read_bytes() == before


# --- values checked where they are written ---------------------------------------------


def _with(**changes) -> AssumeResult:
    from dataclasses import replace

    base = result()
    credentials = replace(base.credentials, **{k: v for k, v in changes.items() if k in _CREDENTIAL_FIELDS})
    rest = {k: v for k, v in changes.items() if k not in _CREDENTIAL_FIELDS}
    if "target_name" in rest:
        rest["target"] = replace(base.target, name=rest.pop("target_name"))
    return replace(base, credentials=credentials, **rest)


_CREDENTIAL_FIELDS = {"access_key_id", "secret_access_key", "session_token"}


@pytest.mark.parametrize(
    "changes",
    [
        {"session_token": "tok\n[corp]\naws_access_key_id = AKIAEVIL"},
        {"secret_access_key": "s\rregion = x"},
        {"session_token": "has space"},
        {"access_key_id": "ASIA\nEXAMPLE000000001"},
        {"access_key_id": "asialowercase00000001"},
        {"assumed_arn": "arn:aws:sts::111111111111:assumed-role/Admin/a\n[corp]"},
        {"region": "eu-west-1\n[corp]"},
        {"region": "eu-west-1\x0b"},
        {"target_name": "prod/Admin\u2028[corp]"},
    ],
)
def test_a_value_that_would_inject_lines_is_refused_untouched(home, changes):
    """The last line of defence, whatever STS or the TOML handed over."""
    home.credentials.write_text(FULL)
    before = home.credentials.read_bytes()
    bad = _with(**changes)
    with pytest.raises(ValidationError) as caught:
        CredentialsFile().write("default", bad)
    assert "\n" not in str(caught.value)
    assert bad.credentials.secret_access_key not in str(caught.value)
    assert bad.credentials.session_token not in str(caught.value)
    assert home.credentials.read_bytes() == before


@pytest.mark.parametrize("profile", ["a]\n[corp", "a\nb", " a", "a ", "", "x[y]", "DEFAULT", "tab\there"])
def test_a_profile_name_that_is_not_one_plain_section_is_refused(home, profile):
    home.credentials.write_text(FULL)
    before = home.credentials.read_bytes()
    with pytest.raises((ValidationError, WriteRefused)):
        CredentialsFile().check_writable(profile)
    with pytest.raises((ValidationError, WriteRefused)):
        section_lines(profile, result())
    assert home.credentials.read_bytes() == before


# --- write then clear gives back the original bytes ----------------------------------------


def _botocore_text(text: str, tmp_path) -> dict | None:
    path = tmp_path / "judge"
    path.write_bytes(text.encode())
    try:
        return raw_config_parse(str(path), parse_subsections=False)
    except ConfigParseError:
        return None


_original_line = st.one_of(
    st.builds(lambda n: f"[{n}]", st.sampled_from(["corp", "other", "default", "x y"])),
    st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(["region", "aws_access_key_id", "k"]), _names),
    st.sampled_from(["", "# comment", "; other", "   ", "\t", "[default]  ; mine", "  continued"]),
)
_original = st.builds(
    lambda lines, nl, final: nl.join(lines) + (nl if final else ""),
    st.lists(_original_line, max_size=12),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(original=_original, renewals=st.integers(0, 2))
@example(original="[corp]\nregion = x", renewals=0)  # no final newline
@example(original="[corp]\nregion = x\n\n", renewals=0)  # a trailing blank line
@example(original="[default]\n\n[corp]\nregion = x\n", renewals=1)  # an empty placeholder
@example(original="[default]", renewals=0)  # a placeholder without a final newline
@example(original="[corp]\r\nregion = x\r\n  \r\n", renewals=0)
def test_write_then_clear_gives_back_the_original_bytes(home, original, renewals):
    """For any file roleswitch agrees to write, assume (and renewals) then clear is a no-op."""
    home.credentials.write_bytes(original.encode())
    writer = CredentialsFile()
    try:
        for n in range(1 + renewals):
            writer.write("default", result(n))
    except WriteRefused:
        assert home.credentials.read_bytes() == original.encode()
        return
    assert writer.read_active("default") is not None
    assert writer.clear("default")
    assert home.credentials.read_bytes() == original.encode()


def test_an_empty_placeholder_is_filled_and_left_empty_again(home, tmp_path):
    original = "# mine\n[default]\n# keep this note\n\n[corp]\nregion = x\n"
    home.credentials.write_text(original)
    writer = CredentialsFile()
    writer.write("default", result())
    after = home.credentials.read_text()
    assert after.startswith("# mine\n[default]\naws_access_key_id = ASIAEXAMPLE000000001\n")
    assert "roleswitch_placeholder = true\n# keep this note\n" in after
    assert _botocore_text(after, tmp_path)["default"]["manager"] == "roleswitch"
    writer.clear("default")
    assert home.credentials.read_text() == original
