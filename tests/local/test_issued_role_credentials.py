"""The Identity Center remembers the role credentials it hands out, so a local stand-in for
another service (the demo's console sign-in) can tell whose they are, and only while they
are valid; the federation stand-in asks such a verifier before STS."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest

from roleswitch.local.federation import FederationStandIn
from roleswitch.local.identity_center import IdentityCenter, IssuedRole

ACCOUNT, ROLE = "333333333333", "PowerUserAccess"
NO_STS = "http://127.0.0.1:9"  # nothing listens: STS refuses every session


def role_credentials(center: IdentityCenter) -> dict:
    access, _ = center.issue_token()
    portal = boto3.client("sso", region_name="us-east-1")
    return portal.get_role_credentials(roleName=ROLE, accountId=ACCOUNT, accessToken=access)[
        "roleCredentials"
    ]


def parts(credentials: dict) -> tuple[str, str, str]:
    return credentials["accessKeyId"], credentials["secretAccessKey"], credentials["sessionToken"]


def test_issued_role_credentials_name_their_account_and_role_until_they_expire(center, clock):
    credentials = role_credentials(center)
    key_id, secret, token = parts(credentials)
    issued = center.issued_role(key_id, secret, token)
    assert issued == IssuedRole(ACCOUNT, ROLE, credentials["expiration"] / 1000)
    assert secret not in repr(issued) and token not in repr(center._issued[key_id])
    clock.advance(center.credential_lifetime - 1)
    assert center.issued_role(key_id, secret, token) == issued
    clock.advance(1)
    assert center.issued_role(key_id, secret, token) is None


def test_credentials_it_did_not_issue_or_that_do_not_match_are_unknown(center):
    key_id, secret, token = parts(role_credentials(center))
    other_key, other_secret, other_token = parts(role_credentials(center))
    assert center.issued_role(key_id, other_secret, token) is None
    assert center.issued_role(key_id, secret, other_token) is None
    assert center.issued_role(other_key, secret, token) is None
    assert center.issued_role("ASIAAAAAAAAAAAAAAAAA", secret, token) is None
    assert center.issued_role(other_key, other_secret, other_token) is not None


def signin_token(federation: FederationStandIn, key_id: str, secret: str, token: str) -> int:
    session = json.dumps({"sessionId": key_id, "sessionKey": secret, "sessionToken": token})
    query = urllib.parse.urlencode({"Action": "getSigninToken", "Session": session})
    try:
        with urllib.request.urlopen(f"{federation.endpoint}?{query}", timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_federation_stand_in_accepts_what_its_verifier_knows_and_names_it(center, clock):
    def verify(key_id: str, secret: str, token: str) -> tuple[str, str] | None:
        issued = center.issued_role(key_id, secret, token)
        if issued is None:
            return None
        return f"arn:aws:sts::{issued.account_id}:assumed-role/{issued.role_name}/someone", issued.account_id

    key_id, secret, token = parts(role_credentials(center))
    with FederationStandIn(NO_STS, verify=verify) as federation:
        assert signin_token(federation, key_id, secret, token) == 200
        (sign_in,) = federation.tokens.values()
        assert sign_in.identity.endswith(f":assumed-role/{ROLE}/someone") and sign_in.account == ACCOUNT
        assert signin_token(federation, key_id, secret[::-1], token) == 400  # unknown to both
        clock.advance(center.credential_lifetime)
        assert signin_token(federation, key_id, secret, token) == 400  # expired
    with FederationStandIn(NO_STS) as federation:  # no verifier: STS alone decides
        assert signin_token(federation, *parts(role_credentials(center))) == 400


@pytest.mark.parametrize("issued", [1, 3])
def test_only_the_newest_role_credentials_are_remembered(center, monkeypatch, issued):
    import roleswitch.local.identity_center as module

    monkeypatch.setattr(module, "MAX_ISSUED", 2)
    all_issued = [parts(role_credentials(center)) for _ in range(issued)]
    assert len(center._issued) == min(issued, 2)
    assert center.issued_role(*all_issued[-1]) is not None
    assert (center.issued_role(*all_issued[0]) is None) == (issued > 2)
