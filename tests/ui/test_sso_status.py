"""What the app knows of each SSO session, read from the real cache files (no network),
and which session the sign-in key offers first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.discovery import DiscoveredAccount, Discovery, DiscoveryCache
from roleswitch.core.sso.status import SessionStatus, session_statuses, session_to_offer
from roleswitch.core.sso.token_cache import SsoToken, TokenCache

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CONFIG = """\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[sso-session lab]
sso_start_url = https://lab.awsapps.com/start
sso_region = eu-west-1

[sso-session moved]
sso_start_url = https://new.awsapps.com/start
sso_region = eu-west-1
"""


def token(start_url: str, left: timedelta, refresh: bool = False) -> SsoToken:
    return SsoToken(
        start_url=start_url,
        region="eu-west-1",
        access_token="aoaSECRET",
        expires_at=NOW + left,
        client_id="client" if refresh else None,
        client_secret="secret" if refresh else None,
        registration_expires_at=NOW + timedelta(days=80) if refresh else None,
        refresh_token="refresh" if refresh else None,
    )


def test_statuses_come_from_the_token_and_discovery_caches(home):
    home.write(config=CONFIG)
    config = load_sso_config()
    corp, lab, moved = config.sessions
    tokens = TokenCache()
    tokens.save(corp, token(corp.start_url, timedelta(hours=3)))
    tokens.save(lab, token(lab.start_url, timedelta(minutes=-5), refresh=True))
    tokens.save(moved, token("https://old.awsapps.com/start", timedelta(hours=3)))
    fetched = NOW - timedelta(hours=2)
    DiscoveryCache().save(
        Discovery("corp", corp.start_url, fetched, (DiscoveredAccount("1" * 12, "A", ("R",)),))
    )

    statuses = session_statuses(now=NOW)
    assert [s.name for s in statuses] == ["corp", "lab", "moved"]
    corp_status, lab_status, moved_status = statuses
    assert corp_status.left(NOW) == timedelta(hours=3) and corp_status.discovered_at == fetched
    assert corp_status.needs_discovery(NOW) and not corp_status.needs_discovery(NOW, timedelta(hours=3))
    assert lab_status.usable(NOW) and lab_status.left(NOW) < timedelta(0)  # refreshed on next use
    assert lab_status.needs_discovery(NOW)  # never discovered
    assert moved_status.expires_at is None and not moved_status.usable(NOW)  # another portal's sign-in
    assert not moved_status.needs_discovery(NOW)
    assert "aoaSECRET" not in repr(statuses)


def status(name: str, left: timedelta | None) -> SessionStatus:
    return SessionStatus(name, NOW + left if left is not None else None, False, None)


def test_the_sign_in_key_offers_a_missing_or_ending_sign_in_first():
    hours = timedelta(hours=5)
    signed_in = [status("a", hours), status("b", hours)]
    assert session_to_offer([], NOW) == -1
    assert session_to_offer(signed_in, NOW) == 0
    assert session_to_offer(signed_in, NOW, preferred="b") == 1
    mixed = [status("a", hours), status("b", None), status("c", timedelta(minutes=20))]
    assert session_to_offer(mixed, NOW) == 1
    assert session_to_offer(mixed, NOW, preferred="c") == 2  # the highlighted one, ending
    assert session_to_offer(mixed, NOW, preferred="a") == 1  # signed in for hours: another needs it
