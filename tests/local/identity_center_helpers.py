"""Shared by the Identity Center tests: a clock the test moves, and a token cache file
written exactly as the AWS CLI writes it."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from roleswitch.local.identity_center import IdentityCenter


class FakeClock:
    """The server's clock, moved on by the test instead of waited for."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def write_cli_token_cache(cache: Path, center: IdentityCenter, expires_in: timedelta) -> dict:
    """A token cache file exactly as `aws sso login` writes it for the sso-session `corp`."""
    client_id, client_secret = center.register_client()
    access, refresh_token = center.issue_token(client_id=client_id)
    now = datetime.now(UTC)
    entry = {
        "startUrl": center.start_url,
        "region": "us-east-1",
        "accessToken": access,
        "expiresAt": (now + expires_in).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clientId": client_id,
        "clientSecret": client_secret,
        "registrationExpiresAt": (now + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "refreshToken": refresh_token,
    }
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / (hashlib.sha1(b"corp").hexdigest() + ".json")
    path.write_text(json.dumps(entry))
    path.chmod(0o600)
    return entry
