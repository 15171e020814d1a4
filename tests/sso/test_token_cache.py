"""The AWS CLI's token cache both ways, refresh as botocore does it, and an ended sign-in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.sso.discovery import discover
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.token_cache import SsoToken, valid_token
from tests.local.identity_center_helpers import write_cli_token_cache


def test_a_cache_file_written_by_the_aws_cli_makes_discovery_work(corp, center, token_cache, sso_profile):
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    found = discover(corp, cache=token_cache)
    assert len(found.accounts) == 5 and found.role_count == 11
    assert center.calls["CreateToken"] == 0  # a token with hours left is used as it is


def test_a_token_inside_fifteen_minutes_is_refreshed_and_botocore_reads_the_new_one(
    corp, center, token_cache, sso_profile
):
    old = write_cli_token_cache(sso_profile, center, timedelta(minutes=10))
    token = valid_token(corp, cache=token_cache)
    assert center.calls["CreateToken"] == 1
    assert token.access_token != old["accessToken"] and token.left(datetime.now(UTC)) > timedelta(hours=7)
    (path,) = sso_profile.glob("*.json")
    entry = json.loads(path.read_text())
    assert entry["accessToken"] == token.access_token
    assert entry["refreshToken"] != old["refreshToken"]  # rotated: the old one is spent
    assert (
        entry["clientId"] == old["clientId"]
        and entry["registrationExpiresAt"] == old["registrationExpiresAt"]
    )

    import boto3

    assert boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials().access_key
    assert center.calls["CreateToken"] == 1  # botocore found hours left: no second refresh


def test_a_refused_refresh_keeps_a_token_that_still_works(corp, center, token_cache, sso_profile):
    old = write_cli_token_cache(sso_profile, center, timedelta(minutes=10))
    center.revoke_refresh_token(old["refreshToken"])
    assert valid_token(corp, cache=token_cache).access_token == old["accessToken"]


def test_an_ended_sign_in_says_to_run_roleswitch_login(corp, center, token_cache, sso_profile):
    old = write_cli_token_cache(sso_profile, center, timedelta(minutes=-1))
    center.revoke_refresh_token(old["refreshToken"])
    with pytest.raises(SsoError) as caught:
        valid_token(corp, cache=token_cache)
    assert caught.value.code == "login-needed"
    assert str(caught.value) == (
        "The SSO session corp cannot be renewed (its sign-in ended or was revoked); "
        "run `roleswitch login corp` and try again."
    )


def test_no_cache_file_says_to_sign_in(corp, token_cache):
    with pytest.raises(SsoError, match=r"corp is not signed in; run `roleswitch login corp`"):
        valid_token(corp, cache=token_cache)


def test_a_revoked_token_is_one_sentence_from_discovery(corp, center, token_cache, sso_profile):
    entry = write_cli_token_cache(sso_profile, center, timedelta(hours=8))
    center.revoke_token(entry["accessToken"])
    with pytest.raises(SsoError) as caught:
        discover(corp, cache=token_cache)
    assert caught.value.code == "login-needed"
    assert "run `roleswitch login corp`" in str(caught.value)
    assert entry["accessToken"] not in str(caught.value)


def test_the_token_and_secrets_are_never_in_repr():
    token = SsoToken(
        "https://x.awsapps.com/start",
        "us-east-1",
        "aoaSECRETACCESS",
        datetime(2030, 1, 1, tzinfo=UTC),
        "client-id",
        "SECRETCLIENT",
        datetime(2030, 1, 1, tzinfo=UTC),
        "aorSECRETREFRESH",
    )
    for text in (repr(token), str(token), repr([token])):
        assert "SECRET" not in text
    assert SsoToken.from_json(token.to_json()) == token


def test_two_refreshes_at_once_spend_the_single_use_refresh_token_once(
    corp, center, token_cache, sso_profile
):
    import threading

    write_cli_token_cache(sso_profile, center, timedelta(minutes=5))
    center.latency = 0.2  # both callers are inside the window before either refresh answers
    tokens: list[SsoToken] = []
    callers = [
        threading.Thread(target=lambda: tokens.append(valid_token(corp, cache=token_cache))) for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=20)
    assert len(tokens) == 2 and tokens[0].access_token == tokens[1].access_token
    assert center.calls["CreateToken"] == 1
