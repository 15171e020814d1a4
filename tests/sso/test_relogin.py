"""Signing in again after the portal changed: a new local Identity Center (as a restarted
`roleswitch demo`, or a changed sso_start_url) with the old sign-in still in the cache, and
a client registration the service no longer accepts (revoked, or expired early)."""

from __future__ import annotations

import json

import pytest

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.login import login
from roleswitch.local.identity_center import REGISTRATION_LIFETIME, IdentityCenter


def _approving(center: IdentityCenter, shown: list[str]):
    """A `show` that records each code and approves it at once, as the person would."""

    def show(user_code: str, uri: str, complete: str, expires_in: int) -> None:
        shown.append(user_code)
        center.approve(user_code)

    return show


@pytest.fixture
def signed_in_once(corp, center, clock, token_cache):
    """A first sign-in to `center`: the cache holds its token and client registration."""
    login(corp, _approving(center, []), pause=lambda _: None, clock=clock)
    entry = json.loads(token_cache.path(corp).read_text())
    assert center.calls["RegisterClient"] == 1
    return entry


def _point_at(center: IdentityCenter, monkeypatch, home) -> None:
    for name, value in center.environment().items():
        monkeypatch.setenv(name, value)
    home.write(
        "[sso-session corp]\n"
        f"sso_start_url = {center.start_url}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )


def test_a_new_portal_gets_a_new_registration_instead_of_the_cached_one(
    signed_in_once, center, clock, home, monkeypatch, token_cache
):
    center.stop()
    with IdentityCenter(clock=clock) as portal:  # another port: another start URL
        _point_at(portal, monkeypatch, home)
        corp = load_sso_config().find("corp")
        shown: list[str] = []
        token = login(corp, _approving(portal, shown), pause=lambda _: None, clock=clock)
        assert portal.calls["RegisterClient"] == 1
        assert portal.calls["StartDeviceAuthorization"] == 1  # never tried the other portal's client
        assert len(shown) == 1 and portal.token_is_valid(token.access_token)
        entry = json.loads(token_cache.path(corp).read_text())
        assert entry["startUrl"] == portal.start_url
    assert entry["clientId"] != signed_in_once["clientId"]


def test_a_refused_registration_for_the_same_start_url_is_replaced_once(
    signed_in_once, corp, center, clock, home, monkeypatch, token_cache
):
    port = int(center.url.rsplit(":", 1)[1])
    center.stop()
    with IdentityCenter(clock=clock, port=port) as restarted:  # same start URL, none of its clients
        assert restarted.start_url == corp.start_url
        shown: list[str] = []
        token = login(corp, _approving(restarted, shown), pause=lambda _: None, clock=clock)
        assert restarted.calls["StartDeviceAuthorization"] == 2  # refused once, then the new client
        assert restarted.calls["RegisterClient"] == 1
        assert len(shown) == 1 and restarted.token_is_valid(token.access_token)
    entry = json.loads(token_cache.path(corp).read_text())
    assert entry["clientId"] != signed_in_once["clientId"] and entry["refreshToken"]


def test_a_registration_refused_while_waiting_shows_a_new_code(corp, center, clock, token_cache):
    shown: list[str] = []

    def show(user_code: str, uri: str, complete: str, expires_in: int) -> None:
        shown.append(user_code)
        if len(shown) == 1:
            clock.advance(REGISTRATION_LIFETIME + 1)  # the client's registration ends meanwhile
        else:
            center.approve(user_code)

    token = login(corp, show, pause=lambda _: None, clock=clock)
    assert len(shown) == 2 and shown[0] != shown[1]
    assert center.calls["RegisterClient"] == 2
    assert center.token_is_valid(token.access_token)
    assert json.loads(token_cache.path(corp).read_text())["accessToken"] == token.access_token


def test_a_registration_refused_again_is_one_sentence_not_a_loop(
    signed_in_once, corp, center, home, monkeypatch, token_cache
):
    before = token_cache.path(corp).read_bytes()
    moments = iter(range(10**9, 10**12, REGISTRATION_LIFETIME + 1))  # each look at the clock: 90 days on
    port = int(center.url.rsplit(":", 1)[1])
    center.stop()
    with IdentityCenter(clock=lambda: next(moments), port=port) as hostile:
        with pytest.raises(SsoError) as caught:
            login(corp, _approving(hostile, []), pause=lambda _: None)
        assert hostile.calls["RegisterClient"] == 1
        assert hostile.calls["StartDeviceAuthorization"] == 2
    assert caught.value.code == "error"
    assert str(caught.value) == (
        "IAM Identity Center's sign-in service refused roleswitch's client registration twice "
        "(InvalidClientException); check sso_start_url and sso_region of the SSO session corp and try again."
    )
    assert token_cache.path(corp).read_bytes() == before  # nothing written
