"""Discovery against the local portal: pagination, throttling, scale, naming, cache, failures."""

from __future__ import annotations

import stat
import time
from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.sso.discovery import DiscoveredAccount, Discovery, DiscoveryCache, Progress, discover
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sts import Timeouts
from roleswitch.local.identity_center import Account, generated_organisation
from tests.local.identity_center_helpers import write_cli_token_cache


@pytest.fixture
def signed_in(center, sso_profile):
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))


def test_pages_of_accounts_and_of_roles_are_all_followed(corp, center, signed_in):
    center.accounts = generated_organisation(23, 5)
    found = discover(corp, page_size=4)
    assert len(found.accounts) == 23 and found.role_count == 115
    assert center.calls["ListAccounts"] == 6  # 23 accounts, 4 a page
    assert center.calls["ListAccountRoles"] == 23 * 2  # 5 roles, 4 a page


def test_throttling_is_retried_with_jittered_backoff(corp, center, signed_in):
    center.accounts = generated_organisation(30, 2)
    center.throttle_every = 4
    slept: list[float] = []
    seen: list[Progress] = []
    found = discover(corp, sleep=slept.append, progress=seen.append)
    assert found.role_count == 60
    refused = (center.calls["ListAccounts"] + center.calls["ListAccountRoles"]) // 4
    assert len(slept) == refused > 0
    assert all(0 <= s <= 3.0 for s in slept) and len(set(slept)) > 1  # jittered, capped
    assert seen[-1].text == "30 of 30 accounts" and seen[-1].listing_done


def test_a_portal_that_always_throttles_fails_in_bounded_attempts(corp, center, signed_in):
    center.throttle_every = 1
    with pytest.raises(SsoError) as caught:
        discover(corp, sleep=lambda _: None)
    assert caught.value.code == "throttled"
    assert center.calls["ListAccounts"] == 8


def test_two_hundred_accounts_with_30ms_latency_take_under_five_seconds(corp, center, signed_in):
    """The issue's target is 2,000 x 5 in 15 s; this keeps the suite fast with a tenth of it.
    Measured here: about 1 s (8 workers, 202 calls of 30 ms)."""
    center.accounts = generated_organisation(200, 5)
    center.latency = 0.03
    started = time.monotonic()
    found = discover(corp)
    elapsed = time.monotonic() - started
    assert found.role_count == 1000
    assert elapsed < 5, f"discovery took {elapsed:.1f}s"


def test_an_unreachable_portal_fails_in_bounded_time(corp, signed_in, monkeypatch, silent_port):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", silent_port)
    timeouts = Timeouts(connect=0.3, read=0.3, attempts=1)
    started = time.monotonic()
    with pytest.raises(SsoError) as caught:
        discover(corp, timeouts=timeouts)
    assert time.monotonic() - started < timeouts.deadline + 1
    assert caught.value.code == "no-connection"


def test_a_closed_port_is_one_sentence_naming_the_variable(corp, signed_in, monkeypatch):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{port}")
    with pytest.raises(
        SsoError, match=r"Could not connect to the IAM Identity Center portal .*AWS_ENDPOINT_URL_SSO"
    ):
        discover(corp, timeouts=Timeouts(connect=0.5, read=0.5, attempts=1))


def test_target_names_are_session_account_role_with_a_clean_unique_account_part(corp, center, signed_in):
    center.accounts = [
        Account("111111111111", "Team A / prod", ("Admin",)),
        Account("222222222222", "  data  lake ", ("ReadOnly",)),
        Account("333333333333", "dup", ("Admin",)),
        Account("444444444444", "dup", ("Admin",)),
        Account("555555555555", "", ("Admin",)),
    ]
    names = [r.target_name for r in discover(corp).roles()]
    assert names == [
        "corp/Team-A-prod/Admin",
        "corp/data-lake/ReadOnly",
        "corp/dup-333333333333/Admin",
        "corp/dup-444444444444/Admin",
        "corp/555555555555/Admin",
    ]


def test_the_cache_keeps_a_discovery_per_start_url_privately(corp, center, signed_in, tmp_path, monkeypatch):
    monkeypatch.setenv("ROLESWITCH_CACHE_DIR", str(tmp_path / "cache"))
    found = discover(corp)
    cache = DiscoveryCache()
    assert cache.load(corp) is None
    assert cache.save(found)
    path = cache.path(corp.start_url)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = cache.load(corp)
    assert again == found and again.age() < timedelta(minutes=1)


def test_a_cache_in_a_folder_open_to_others_is_not_trusted_blindly(corp, tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    cache = DiscoveryCache(folder)
    accounts = (DiscoveredAccount("111111111111", "A", ("R",)),)
    discovery = Discovery("corp", corp.start_url, datetime.now(UTC).replace(microsecond=0), accounts)
    assert cache.save(discovery)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # closed before anything was written
