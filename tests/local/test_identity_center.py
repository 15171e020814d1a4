"""The local Identity Center speaks the real protocol: botocore's own `sso-oidc` and `sso`
clients, its paginators, its retry rules, its SSO credential provider and the AWS CLI all
work against it through nothing but AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
import urllib.request
from datetime import timedelta

import boto3
import pytest
from botocore.config import Config

from roleswitch.local.identity_center import DEVICE_GRANT, IdentityCenter, generated_organisation
from tests.local.identity_center_helpers import write_cli_token_cache

SCOPES = ["sso:account:access"]


def oidc(**config):
    return boto3.client("sso-oidc", region_name="us-east-1", config=Config(**config))


def portal(**config):
    return boto3.client("sso", region_name="us-east-1", config=Config(**config))


def no_retries() -> dict:
    return {"retries": {"total_max_attempts": 1, "mode": "standard"}}


def register(client, scopes=SCOPES) -> dict:
    extra = {"scopes": scopes} if scopes else {}
    return client.register_client(clientName="roleswitch-test", clientType="public", **extra)


def poll(client, registration: dict, device: dict) -> dict:
    return client.create_token(
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        grantType=DEVICE_GRANT,
        deviceCode=device["deviceCode"],
    )


def start(client, registration: dict, center: IdentityCenter) -> dict:
    return client.start_device_authorization(
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        startUrl=center.start_url,
    )


# --- OIDC: device authorization ---------------------------------------------------------------


def test_device_flow_pending_slow_down_then_approved(center, clock):
    client = oidc()
    registration = register(client)
    assert registration["clientSecretExpiresAt"] > registration["clientIdIssuedAt"]
    device = start(client, registration, center)
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", device["userCode"])
    assert device["verificationUriComplete"] == f"{center.url}/device?user_code={device['userCode']}"
    assert (device["expiresIn"], device["interval"]) == (600, 1)

    with pytest.raises(client.exceptions.AuthorizationPendingException):
        poll(client, registration, device)
    with pytest.raises(client.exceptions.SlowDownException):  # again at once: faster than the interval
        poll(client, registration, device)
    clock.advance(1)  # the interval grew by 5 s with the slow_down (RFC 8628): still too soon
    with pytest.raises(client.exceptions.SlowDownException):
        poll(client, registration, device)
    clock.advance(11)  # 1 + 5 + 5
    with pytest.raises(client.exceptions.AuthorizationPendingException):
        poll(client, registration, device)

    center.approve(device["userCode"])
    clock.advance(11)
    token = poll(client, registration, device)
    assert token["tokenType"] == "Bearer" and token["expiresIn"] == center.token_lifetime
    assert token["accessToken"] and token["refreshToken"]
    assert center.token_is_valid(token["accessToken"])

    clock.advance(11)
    with pytest.raises(client.exceptions.InvalidGrantException):  # a device code is used once
        poll(client, registration, device)
    assert center.calls["CreateToken"] == 6


def test_denied_and_expired_device_codes(center, clock):
    client = oidc()
    registration = register(client)
    denied, expired = start(client, registration, center), start(client, registration, center)
    assert center.pending_user_codes() == [denied["userCode"], expired["userCode"]]
    center.deny(denied["userCode"])
    with pytest.raises(client.exceptions.AccessDeniedException):
        poll(client, registration, denied)
    clock.advance(600)
    with pytest.raises(client.exceptions.ExpiredTokenException):
        poll(client, registration, expired)
    with pytest.raises(KeyError):
        center.approve(denied["userCode"])


def test_bad_clients_and_grants_are_refused(center):
    client = oidc()
    registration = register(client)
    device = start(client, registration, center)
    with pytest.raises(client.exceptions.InvalidClientException):
        poll(client, {**registration, "clientSecret": "wrong"}, device)
    with pytest.raises(client.exceptions.InvalidClientException):
        start(client, {**registration, "clientId": "nobody"}, center)
    with pytest.raises(client.exceptions.InvalidGrantException):
        poll(client, registration, {"deviceCode": "made-up"})
    with pytest.raises(client.exceptions.UnsupportedGrantTypeException):
        client.create_token(
            clientId=registration["clientId"],
            clientSecret=registration["clientSecret"],
            grantType="client_credentials",
        )


def refresh(client, registration: dict, refresh_token: str) -> dict:
    return client.create_token(
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        grantType="refresh_token",
        refreshToken=refresh_token,
    )


def approved_token(center, client, registration, clock) -> dict:
    device = start(client, registration, center)
    center.approve(device["userCode"])
    return poll(client, registration, device)


def test_refresh_rotates_and_revoked_refresh_tokens_are_refused(center, clock):
    client = oidc()
    registration = register(client)
    first = approved_token(center, client, registration, clock)
    second = refresh(client, registration, first["refreshToken"])
    assert second["accessToken"] != first["accessToken"] and second["refreshToken"] != first["refreshToken"]
    assert center.token_is_valid(second["accessToken"])
    with pytest.raises(client.exceptions.InvalidGrantException):  # rotated: the old one works once
        refresh(client, registration, first["refreshToken"])
    center.revoke_refresh_token(second["refreshToken"])
    with pytest.raises(client.exceptions.InvalidGrantException):
        refresh(client, registration, second["refreshToken"])
    with pytest.raises(client.exceptions.InvalidGrantException):
        refresh(client, registration, "aor-unknown")


def test_legacy_registration_without_scopes_gets_no_refresh_token(center, clock):
    client = oidc()
    registration = register(client, scopes=None)
    token = approved_token(center, client, registration, clock)
    assert "refreshToken" not in token and center.token_is_valid(token["accessToken"])


# --- the portal --------------------------------------------------------------------------------


def test_paginators_walk_every_account_and_role(monkeypatch):
    with IdentityCenter(generated_organisation(45, 7), page_size=10) as center:
        for name, value in center.environment().items():
            monkeypatch.setenv(name, value)
        access, _ = center.issue_token()
        client = portal()
        accounts = client.get_paginator("list_accounts").paginate(accessToken=access).build_full_result()
        ids = [a["accountId"] for a in accounts["accountList"]]
        assert len(ids) == len(set(ids)) == 45 and ids[0] == "100000000000"
        assert accounts["accountList"][3] == {
            "accountId": "100000000003",
            "accountName": "acct-0003",
            "emailAddress": "aws+100000000003@example.com",
        }
        assert center.calls["ListAccounts"] == 5  # server page size 10

        pages = client.get_paginator("list_account_roles").paginate(
            accessToken=access, accountId=ids[-1], PaginationConfig={"PageSize": 3}
        )
        roles = [r for page in pages for r in page["roleList"]]
        assert [r["roleName"] for r in roles] == [f"Role{n:02d}" for n in range(7)]
        assert {r["accountId"] for r in roles} == {ids[-1]}
        assert center.calls["ListAccountRoles"] == 3  # max_result=3 sent as the query string

        with pytest.raises(client.exceptions.InvalidRequestException):
            client.list_accounts(accessToken=access, nextToken="not-a-token")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.list_account_roles(accessToken=access, accountId="999999999999")


def test_role_credentials_work_against_moto_sts(center, moto):
    access, _ = center.issue_token()
    client = portal()
    before = time.time()
    creds = client.get_role_credentials(accessToken=access, accountId="111111111111", roleName="Deploy")[
        "roleCredentials"
    ]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", creds["accessKeyId"])
    assert len(creds["secretAccessKey"]) == 40 and len(creds["sessionToken"]) > 100
    assert abs(creds["expiration"] / 1000 - (center.clock() + 3600)) < 5  # epoch milliseconds
    assert center.clock() >= before - 1
    sts = boto3.client(
        "sts",
        region_name="us-east-1",
        aws_access_key_id=creds["accessKeyId"],
        aws_secret_access_key=creds["secretAccessKey"],
        aws_session_token=creds["sessionToken"],
    )
    assert sts.get_caller_identity()["Account"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.get_role_credentials(accessToken=access, accountId="111111111111", roleName="NotAssigned")


def test_missing_expired_revoked_and_logged_out_tokens_are_unauthorized(center):
    client = portal()
    expired, revoked, logged_out = (center.issue_token()[0] for _ in range(3))
    center.expire_token(expired)
    center.revoke_token(revoked)
    client.logout(accessToken=logged_out)
    for token in ("never-issued", expired, revoked, logged_out):
        with pytest.raises(client.exceptions.UnauthorizedException):
            client.list_accounts(accessToken=token)
        with pytest.raises(client.exceptions.UnauthorizedException):
            client.get_role_credentials(accessToken=token, accountId="111111111111", roleName="Deploy")
    # the raw protocol: no bearer header at all
    request = urllib.request.Request(f"{center.url}/assignment/accounts")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=5)
    assert raised.value.code == 401
    assert raised.value.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert json.loads(raised.value.read()) == {"message": "Session token not found or invalid"}


def test_throttling_every_nth_call_and_botocore_retries_it(center):
    access, _ = center.issue_token()
    center.throttle_every = 3
    client = portal(**no_retries())
    client.list_accounts(accessToken=access)
    client.list_accounts(accessToken=access)
    with pytest.raises(client.exceptions.TooManyRequestsException):
        client.list_accounts(accessToken=access)
    # botocore knows TooManyRequestsException as throttling: its standard retry gets through
    center.throttle_every = 2
    center.reset_calls()
    patient = portal(retries={"mode": "standard", "total_max_attempts": 3})
    patient.list_accounts(accessToken=access)
    patient.list_accounts(accessToken=access)
    assert center.calls["ListAccounts"] == 3


def test_throttling_by_rate(center):
    access, _ = center.issue_token()
    center.throttle_per_second = 3
    client = portal(**no_retries())
    outcomes = []
    for _ in range(5):
        try:
            client.list_accounts(accessToken=access)
            outcomes.append("ok")
        except client.exceptions.TooManyRequestsException:
            outcomes.append("throttled")
    assert outcomes[:3] == ["ok"] * 3 and "throttled" in outcomes[3:]


def test_injected_latency_delays_every_call(center):
    access, _ = center.issue_token()
    client = portal()
    client.list_accounts(accessToken=access)  # connection set up outside the measurement
    center.latency = 0.05
    began = time.perf_counter()
    client.list_accounts(accessToken=access)
    assert time.perf_counter() - began >= 0.05


# --- the approval page ---------------------------------------------------------------------------


def test_a_person_approves_in_the_browser_page(center):
    client = oidc()
    registration = register(client)
    device = start(client, registration, center)
    page = urllib.request.urlopen(device["verificationUriComplete"], timeout=5).read().decode()
    assert (
        device["userCode"] in page and 'action="/device/approve"' in page and 'action="/device/deny"' in page
    )
    form = urllib.parse.urlencode({"user_code": device["userCode"]}).encode()
    answer = urllib.request.urlopen(f"{center.url}/device/approve", data=form, timeout=5).read().decode()
    assert "Approved" in answer
    assert poll(client, registration, device)["accessToken"]
    again = urllib.request.urlopen(device["verificationUriComplete"], timeout=5).read().decode()
    assert "no longer waiting" in again


def test_the_page_escapes_what_it_is_given(center):
    query = urllib.parse.urlencode({"user_code": "<script>alert(1)</script>"})
    page = urllib.request.urlopen(f"{center.url}/device?{query}", timeout=5).read().decode()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_nothing_secret_is_logged_or_in_repr(center, capfd):
    client = oidc()
    registration = register(client)
    token = approved_token(center, client, registration, None)
    portal().list_accounts(accessToken=token["accessToken"])
    captured = capfd.readouterr()
    for secret in (token["accessToken"], token["refreshToken"], registration["clientSecret"]):
        assert secret not in captured.out + captured.err + repr(center)
    assert center.url in repr(center)


# --- botocore's SSO credential provider ----------------------------------------------------------


def test_botocore_sso_provider_gets_the_servers_credentials(sso_profile, center, moto):
    write_cli_token_cache(sso_profile, center, timedelta(hours=4))
    session = boto3.Session(profile_name="dev")
    credentials = session.get_credentials().get_frozen_credentials()
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials.access_key)
    assert center.calls["GetRoleCredentials"] == 1 and center.calls["CreateToken"] == 0
    assert session.client("sts").get_caller_identity()["Account"]  # moto accepts the portal's keys


def test_botocore_refreshes_an_expiring_token_through_the_refresh_grant(sso_profile, center):
    old = write_cli_token_cache(sso_profile, center, timedelta(minutes=5))  # inside botocore's 15 minutes
    center.expire_token(old["accessToken"])  # so the credentials can only come with a new token
    credentials = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert credentials.access_key.startswith("ASIA")
    assert center.calls["CreateToken"] == 1
    saved = json.loads(next(sso_profile.iterdir()).read_text())
    assert saved["accessToken"] != old["accessToken"] and center.token_is_valid(saved["accessToken"])
    assert saved["refreshToken"] != old["refreshToken"]


def test_module_entry_serves_the_sample_organisation_until_interrupted():
    import signal
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "roleswitch.local.identity_center", "--accounts", "3", "--roles", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first).group(0)
        assert "(3 accounts)" in first
        page = urllib.request.urlopen(f"{url}/device", timeout=5).read().decode()
        assert 'name="user_code"' in page
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    assert process.returncode == 0 and "Traceback" not in err
