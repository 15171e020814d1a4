"""GetRoleCredentials from the local portal, checked as STS answers are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.sso.credentials import portal_credentials, role_credentials
from roleswitch.core.sso.errors import SsoError
from tests.local.identity_center_helpers import write_cli_token_cache


def test_role_credentials_expire_when_the_portal_says_in_epoch_milliseconds(
    corp, center, token_cache, sso_profile
):
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    credentials = role_credentials(corp, "333333333333", "PowerUserAccess", cache=token_cache)
    assert credentials.access_key_id.startswith("ASIA")
    expected = datetime.fromtimestamp(center.clock() + center.credential_lifetime, UTC)
    assert abs(credentials.expiration - expected) < timedelta(seconds=1)
    assert credentials.secret_access_key not in repr(credentials)


def test_a_role_the_sign_in_has_no_access_to_is_one_sentence(corp, center, token_cache, sso_profile):
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    with pytest.raises(SsoError) as caught:
        role_credentials(corp, "333333333333", "SecurityAudit", cache=token_cache)
    assert str(caught.value) == (
        "The SSO session corp has no access to SecurityAudit in account 333333333333; "
        "ask your administrator, or pick another role."
    )


def test_an_expired_token_says_to_run_roleswitch_login(corp, center, token_cache, sso_profile):
    entry = write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    center.expire_token(entry["accessToken"])  # the portal ended it before the file says so
    with pytest.raises(SsoError) as caught:
        role_credentials(corp, "333333333333", "PowerUserAccess", cache=token_cache)
    assert caught.value.code == "login-needed" and "roleswitch login corp" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"accessKeyId": "ASIA\nX"}, "access key id"),
        ({"secretAccessKey": "a b"}, "secret key"),
        ({"sessionToken": ""}, "session token"),
        ({"expiration": "soon"}, "expiration"),
        ({"expiration": 1000}, "expired"),
        ({"expiration": int((datetime.now(UTC) + timedelta(days=3)).timestamp() * 1000)}, "longer than"),
    ],
)
def test_an_unusable_answer_is_refused_without_quoting_it(change, reason):
    good = {
        "accessKeyId": "ASIAABCDEFGHIJKLMNOP",
        "secretAccessKey": "c2VjcmV0c2VjcmV0c2VjcmV0",
        "sessionToken": "dG9rZW4=",
        "expiration": int((datetime.now(UTC) + timedelta(hours=1)).timestamp() * 1000),
    }
    assert (
        portal_credentials({"roleCredentials": good}, datetime.now(UTC)).access_key_id == good["accessKeyId"]
    )
    with pytest.raises(SsoError) as caught:
        portal_credentials({"roleCredentials": {**good, **change}}, datetime.now(UTC))
    assert reason in str(caught.value) and str(caught.value).startswith(
        "The IAM Identity Center portal answered"
    )
    assert "c2VjcmV0" not in str(caught.value)
