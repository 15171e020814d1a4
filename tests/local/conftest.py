"""Fixtures for the local stand-in servers' tests."""

from __future__ import annotations

import pytest

from roleswitch.local.identity_center import IdentityCenter
from tests.local.identity_center_helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def center(monkeypatch: pytest.MonkeyPatch, clock: FakeClock):
    with IdentityCenter(clock=clock) as server:
        for name, value in server.environment().items():
            monkeypatch.setenv(name, value)
        yield server


@pytest.fixture
def sso_profile(home, center, monkeypatch):
    """A [sso-session] + profile in the config, and botocore's token cache folder in this test's home."""
    import botocore.credentials
    import botocore.tokens

    cache = home.root / ".aws" / "sso" / "cache"
    # botocore fixes both folders from HOME when it is imported, before this test's HOME exists
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", str(cache))
    home.write(
        "[sso-session corp]\n"
        f"sso_start_url = {center.start_url}\n"
        "sso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n\n"
        "[profile dev]\n"
        "sso_session = corp\n"
        "sso_account_id = 333333333333\n"
        "sso_role_name = PowerUserAccess\n"
        "region = us-east-1\n"
    )
    return cache
