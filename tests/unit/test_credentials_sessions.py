"""Several sessions in one credentials file: `sessions`, `copy_session` (make default) and
`set_region`: the same refusals as `write`, every byte outside the section kept."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import SessionReplaced, ValidationError, WriteRefused
from roleswitch.core.model import AssumeResult, Credentials
from tests.factories import make_target
from tests.unit.test_credentials_file import outside

EXPIRY = datetime(2026, 11, 22, 13, 56, 56, tzinfo=UTC)


def result(n: int, name: str = "prod/Admin", region: str = "eu-west-1") -> AssumeResult:
    return AssumeResult(
        target=make_target(name=name),
        credentials=Credentials(f"ASIAEXAMPLE{n:09d}", f"secret-{n}", f"token-{n}", EXPIRY),
        assumed_arn=f"arn:aws:sts::111111111111:assumed-role/Admin/s{n}",
        region=region,
    )


KEEP = (
    "# my keys\r\n"
    "[corp]\r\n"
    "aws_access_key_id = AKIAEXAMPLEEXAMPLE01\r\n"
    "aws_secret_access_key = long-term\r\n"
    "\r\n"
    "; between\r\n"
    "[other]\r\n"
    "aws_access_key_id=AKIAOTHER\r\n"
    "aws_secret_access_key:other-secret"
)


def test_sessions_lists_every_section_of_roleswitchs_in_file_order(home):
    home.credentials.write_text(KEEP)
    writer = CredentialsFile()
    writer.write("ci", result(1, "dev/Ci"))
    writer.write("default", result(2, "prod/Admin", region="us-west-2"))
    sessions = writer.sessions()
    assert [(s.profile, s.target_name, s.region) for s in sessions] == [
        ("ci", "dev/Ci", "eu-west-1"),
        ("default", "prod/Admin", "us-west-2"),
    ]
    assert sessions[1] == writer.read_active("default")
    assert "secret" not in repr(sessions)


@pytest.mark.parametrize(
    "extra",
    [
        "",
        "[DEFAULT]\n",  # the full scan
        "  [indented]\nx = 1\n",  # ditto
    ],
)
def test_sessions_skips_lookalikes_and_repeated_sections(home, extra):
    home.credentials.write_text(
        extra + "[mine]\nmanager = roleswitch\naws_access_key_id = ASIA1\n"
        "[theirs]\naws_access_key_id = AKIA\nnote =\n  manager = roleswitch\n"
        "[twice]\nmanager = roleswitch\n[twice]\nx = 1\n"
        "[other]\nmanager = someone\n"
        "[Spaced]\n  MANAGER :   roleswitch  \n"
    )
    assert [s.profile for s in CredentialsFile().sessions()] == ["mine", "Spaced"]


def test_sessions_of_a_missing_file_is_empty(home):
    assert CredentialsFile().sessions() == ()


def test_sessions_stays_cheap_on_ten_thousand_sections(home):
    body = "".join(
        f"[p{i}]\naws_access_key_id = AKIA{i:016d}\naws_secret_access_key = s\n" for i in range(10_000)
    )
    home.credentials.write_text(body)
    writer = CredentialsFile()
    for n in range(20):
        writer.write(f"s{n}", result(n + 1))
    began = time.perf_counter()
    found = writer.sessions()
    assert len(found) == 20
    assert time.perf_counter() - began < 0.05  # a few passes with find's speed, twenty small scans


def test_copy_session_makes_the_active_profile_hold_it_and_keeps_every_other_byte(home):
    home.credentials.write_text(KEEP)
    writer = CredentialsFile()
    writer.write("ci", result(1, "dev/Ci"))
    before = home.credentials.read_bytes().decode()
    writer.copy_session("ci", "default", expect_access_key_id="ASIAEXAMPLE000000001")
    assert home.credentials.read_bytes().decode().startswith(before)  # appended after it all
    copied, original = writer.read_active("default"), writer.read_active("ci")
    assert copied is not None and original is not None
    assert (copied.target_name, copied.access_key_id, copied.region) == (
        original.target_name,
        original.access_key_id,
        original.region,
    )
    assert writer.read_credentials("default") == writer.read_credentials("ci")
    assert [s.profile for s in writer.sessions()] == ["ci", "default"]


CI_KEY, OLD_KEY, CORP_KEY = "ASIAEXAMPLE000000001", "ASIAEXAMPLE000000009", "AKIAEXAMPLEEXAMPLE01"
REFUSALS = [  # (method, its arguments, the key id expected, the error)
    ("copy_session", ("ci", "corp"), CI_KEY, WriteRefused),  # keys roleswitch did not write
    ("copy_session", ("ci", "default"), OLD_KEY, SessionReplaced),  # replaced since read
    ("copy_session", ("corp", "default"), CORP_KEY, SessionReplaced),  # not roleswitch's
    ("copy_session", ("ci", "ci"), CI_KEY, ValidationError),  # onto itself
    ("set_region", ("ci", "eu-west-2"), OLD_KEY, SessionReplaced),
    ("set_region", ("corp", "eu-west-2"), CORP_KEY, SessionReplaced),
    ("set_region", ("ci", "eu-west-2\n[evil]"), CI_KEY, ValidationError),  # would inject a section
    ("set_region", ("ci", "global"), CI_KEY, ValidationError),
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_copy_and_region_refusals_leave_the_file_untouched(home, refusal):
    home.credentials.write_text(KEEP)
    writer = CredentialsFile()
    writer.write("ci", result(1))
    before = home.credentials.read_bytes()
    method, arguments, key_id, error = refusal
    with pytest.raises(error):
        getattr(writer, method)(*arguments, expect_access_key_id=key_id)
    assert home.credentials.read_bytes() == before


def test_copy_session_refuses_a_shadowed_profile(home):
    home.write(config="[default]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = corp\n", credentials="")
    writer = CredentialsFile()
    writer.write("ci", result(1))
    before = home.credentials.read_bytes()
    with pytest.raises(WriteRefused, match="role_arn"):
        writer.copy_session("ci", "default", expect_access_key_id="ASIAEXAMPLE000000001")
    assert home.credentials.read_bytes() == before


def test_set_region_rewrites_only_the_region_and_keeps_every_other_byte(home):
    home.credentials.write_text(KEEP)
    writer = CredentialsFile()
    writer.write("ci", result(1))
    writer.write("default", result(2))
    before = home.credentials.read_bytes().decode()
    writer.set_region("ci", "ap-southeast-2", expect_access_key_id="ASIAEXAMPLE000000001")
    after = home.credentials.read_bytes().decode()
    assert outside(after, "ci") == outside(before, "ci")
    session = writer.read_active("ci")
    assert session is not None and session.region == "ap-southeast-2"
    assert writer.read_credentials("ci") == result(1).credentials
    writer.set_region("ci", None, expect_access_key_id="ASIAEXAMPLE000000001")
    session = writer.read_active("ci")
    assert session is not None and session.region is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.lists(st.sampled_from(["# c\n", "\n", "[a]\nk = v\n", "[b]\n", "x = 1\n"]), max_size=5),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_copy_and_region_change_only_their_section(home, prefix, newline):
    text = "".join(prefix).replace("\n", newline)
    if "x = 1" in text.split("[")[0] or text.count("[a]") > 1 or text.count("[b]") > 1:
        return  # files the writer refuses anyway
    home.credentials.write_bytes(text.encode())
    writer = CredentialsFile()
    writer.write("s", result(1))
    before = home.credentials.read_bytes().decode()
    writer.copy_session("s", "t", expect_access_key_id="ASIAEXAMPLE000000001")
    middle = home.credentials.read_bytes().decode()
    assert middle.startswith(before)
    writer.set_region("s", "eu-north-1", expect_access_key_id="ASIAEXAMPLE000000001")
    assert outside(home.credentials.read_bytes().decode(), "s") == outside(middle, "s")
