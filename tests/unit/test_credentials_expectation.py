"""`CredentialsFile.write(..., expect_access_key_id=...)`: a renewal writes only over the
session it renews, checked under the file's lock; otherwise one sentence, file untouched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.configloader import raw_config_parse

from roleswitch.core.credentials_file import NO_SESSION, CredentialsFile
from roleswitch.core.errors import SessionReplaced
from roleswitch.core.model import AssumeResult, Credentials
from tests.factories import make_target

EXPIRY = datetime(2026, 11, 22, 13, 0, 0, tzinfo=UTC)
FIRST, SECOND, OTHER = "ASIAFIRSTSESSION0001", "ASIASECONDSESSION002", "ASIAOTHERPROGRAM0003"


def result(key_id: str) -> AssumeResult:
    target = make_target(name="acct/R", role_arn="arn:aws:iam::111111111111:role/R", role_name="R")
    return AssumeResult(
        target=target,
        credentials=Credentials(key_id, "secret", "token", EXPIRY),
        assumed_arn="arn:aws:sts::111111111111:assumed-role/R/test",
        region="eu-west-1",
    )


def key_on_disk(home) -> str | None:
    return raw_config_parse(str(home.credentials)).get("default", {}).get("aws_access_key_id")


def test_a_write_expecting_the_session_on_disk_replaces_it(home):
    CredentialsFile().write("default", result(FIRST))
    CredentialsFile().write("default", result(SECOND), expect_access_key_id=FIRST)
    assert key_on_disk(home) == SECOND


@pytest.mark.parametrize(
    "on_disk",
    [
        "[default]\nmanager = roleswitch\naws_access_key_id = ASIAOTHERPROGRAM0003\n",  # replaced
        "# cleared\n",  # removed
        "[default]\naws_access_key_id = ASIAFIRSTSESSION0001\naws_secret_access_key = x\n",  # not ours
    ],
    ids=["replaced", "removed", "not-roleswitch"],
)
def test_a_write_expecting_another_session_is_refused_and_leaves_the_file(home, on_disk):
    home.credentials.write_text(on_disk)
    before = home.credentials.read_bytes()
    with pytest.raises(SessionReplaced) as raised:
        CredentialsFile().write("default", result(SECOND), expect_access_key_id=FIRST)
    assert str(raised.value) == (
        "Another program changed [default] since this session was read; nothing was written."
    )
    assert home.credentials.read_bytes() == before


def test_no_session_expects_the_profile_to_hold_none_of_roleswitchs(home):
    CredentialsFile().write("default", result(FIRST), expect_access_key_id=NO_SESSION)
    assert key_on_disk(home) == FIRST
    before = home.credentials.read_bytes()
    with pytest.raises(SessionReplaced):
        CredentialsFile().write("default", result(SECOND), expect_access_key_id=NO_SESSION)
    assert home.credentials.read_bytes() == before
