"""Device sign-in against the local Identity Center: approve, deny, expiry, slow_down, cancel."""

from __future__ import annotations

import hashlib
import json
import stat
import threading
import time

import pytest

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.login import login
from roleswitch.core.sts import Timeouts

CACHE_KEYS = {
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
}


class Shown:
    def __init__(self) -> None:
        self.codes: list[tuple] = []

    def __call__(self, user_code, uri, complete, expires_in) -> None:
        self.codes.append((user_code, uri, complete, expires_in))

    @property
    def user_code(self) -> str:
        return self.codes[-1][0]


def test_an_approved_sign_in_writes_the_aws_cli_cache_that_boto3_uses(
    corp, center, waits, clock, sso_profile
):
    shown = Shown()
    waits.actions[2] = lambda: center.approve(shown.user_code)
    token = login(corp, shown, pause=waits, clock=clock)

    user_code, uri, complete, expires_in = shown.codes[0]
    assert complete == f"{uri}?user_code={user_code}" and expires_in == 600
    assert waits.seconds == [1, 1]  # the server's interval, twice pending, then approved
    assert center.calls["CreateToken"] == 3
    path = sso_profile / (hashlib.sha1(b"corp").hexdigest() + ".json")
    entry = json.loads(path.read_text())
    assert set(entry) == CACHE_KEYS
    assert entry["accessToken"] == token.access_token and entry["expiresAt"].endswith("Z")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(sso_profile.stat().st_mode) == 0o700

    import boto3

    credentials = boto3.Session(profile_name="dev").get_credentials().get_frozen_credentials()
    assert credentials.access_key.startswith("ASIA")
    assert center.calls["GetRoleCredentials"] == 1


def test_a_second_sign_in_reuses_the_cached_registration(corp, center, waits, clock):
    for _ in range(2):
        shown = Shown()
        waits.actions = {1: lambda shown=shown: center.approve(shown.user_code)}
        waits.seconds = []
        login(corp, shown, pause=waits, clock=clock)
    assert center.calls["RegisterClient"] == 1
    assert center.calls["StartDeviceAuthorization"] == 2


def test_slow_down_adds_five_seconds_to_the_interval(corp, center, waits, clock):
    shown = Shown()
    waits.skew[1] = 0.0  # the first wait ends at once (a skewed clock): the server says slow down
    waits.actions[2] = lambda: center.approve(shown.user_code)
    login(corp, shown, pause=waits, clock=clock)
    assert waits.seconds == [1, 6]


def test_a_denied_sign_in_is_one_sentence_and_writes_nothing(corp, center, waits, clock, sso_profile):
    shown = Shown()
    waits.actions[1] = lambda: center.deny(shown.user_code)
    with pytest.raises(SsoError) as caught:
        login(corp, shown, pause=waits, clock=clock)
    assert caught.value.code == "denied"
    assert str(caught.value) == "The sign-in was denied in the browser; nothing was written."
    assert not list(sso_profile.glob("*.json"))


def test_an_expired_code_is_one_sentence_and_writes_nothing(corp, center, waits, clock, sso_profile):
    center.device_code_lifetime = 5
    with pytest.raises(SsoError) as caught:
        login(corp, Shown(), pause=waits, clock=clock)
    assert caught.value.code == "expired"
    assert "expired before it was approved" in str(caught.value)
    assert sum(waits.seconds) <= 5 and center.calls["CreateToken"] <= 6
    assert not list(sso_profile.glob("*.json"))


def test_the_server_saying_the_code_expired_ends_the_wait(corp, center, waits, clock):
    waits.skew[1] = 700  # the clock jumps past the code's life (a laptop asleep)
    with pytest.raises(SsoError) as caught:
        login(corp, Shown(), pause=waits, clock=lambda: 0.0)
    assert caught.value.code == "expired"


def test_cancel_stops_the_real_wait_at_once(corp, center, sso_profile):
    center.interval = 30  # without the cancel the login would wait half a minute
    cancel = threading.Event()
    threading.Thread(target=lambda: (center.wait_for_user_code(), cancel.set()), daemon=True).start()
    started = time.monotonic()
    with pytest.raises(SsoError) as caught:
        login(corp, Shown(), cancel=cancel)
    assert time.monotonic() - started < 3
    assert caught.value.code == "cancelled"
    assert str(caught.value) == "Sign-in cancelled; nothing was written."
    assert not list(sso_profile.glob("*.json"))


def test_the_legacy_profile_form_is_cached_by_start_url_without_a_refresh_token(
    home, center, waits, clock, sso_profile
):
    home.write(
        f"[profile old]\nsso_start_url = {center.start_url}\nsso_region = us-east-1\n"
        "sso_account_id = 111111111111\nsso_role_name = Deploy\n"
    )
    session = load_sso_config().find("old")
    shown = Shown()
    waits.actions[1] = lambda: center.approve(shown.user_code)
    login(session, shown, pause=waits, clock=clock)
    entry = json.loads(
        (sso_profile / (hashlib.sha1(center.start_url.encode()).hexdigest() + ".json")).read_text()
    )
    assert "refreshToken" not in entry  # as AWS: no scopes, no refresh token

    import boto3

    assert boto3.Session(profile_name="old").get_credentials().get_frozen_credentials().access_key


def test_an_unreachable_sign_in_service_fails_in_bounded_time(corp, monkeypatch, silent_port):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", silent_port)
    timeouts = Timeouts(connect=0.3, read=0.3, attempts=1)
    started = time.monotonic()
    with pytest.raises(SsoError) as caught:
        login(corp, Shown(), timeouts=timeouts)
    assert time.monotonic() - started < timeouts.deadline + 1
    assert caught.value.code == "no-connection"
    assert "AWS_ENDPOINT_URL_SSO_OIDC" in str(caught.value) or "did not answer" in str(caught.value)
