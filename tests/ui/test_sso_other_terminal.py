"""What another terminal does with IAM Identity Center shows in an open app within a
second or two: a sign-in or sign-out (the AWS CLI's token folder changes) and a
discovery (roleswitch's cache folder gets a new discovery file). Real services, the
local Identity Center; the "other terminal" is the core, called from the test."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.discovery import DiscoveryCache, discover
from roleswitch.ui.app import RoleswitchApp
from roleswitch.ui.launch import real_services
from tests.local.conftest import center, clock, sso_profile  # noqa: F401  (fixtures)
from tests.ui.helpers import settle
from tests.ui.test_sso_login import started
from tests.ui.test_sso_real import Watched

ROLE = "corp/Production/AdministratorAccess"


def signed_in_elsewhere(center, cache_folder) -> None:  # noqa: F811
    """A token cache file written as `aws sso login` writes it."""
    access, _refresh = center.issue_token()
    cache_folder.mkdir(parents=True, exist_ok=True)
    session = load_sso_config().find("corp")
    expires = (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = cache_folder / f"{session.cache_key}.json"
    path.write_text(
        json.dumps(
            {"startUrl": center.start_url, "region": "us-east-1", "accessToken": access, "expiresAt": expires}
        )
    )
    path.chmod(0o600)


async def until(app, pilot, condition, what: str, seconds: float = 5.0) -> None:
    """Tick the app (as its 1 Hz timer would) until `condition()`; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.tick()
        await settle(app, pilot)
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(what)


async def test_a_sign_in_and_a_sign_out_elsewhere_show_without_waiting_a_minute(home, center, sso_profile):  # noqa: F811
    services = real_services()
    services.sso = watched = Watched(services.sso)
    app = RoleswitchApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot, watched)
        now = datetime.now(UTC)
        assert not app.sso_key.status("corp").usable(now)
        signed_in_elsewhere(center, sso_profile)
        await until(app, pilot, lambda: app.sso_key.status("corp").usable(now), "the sign-in never showed")
        for path in sso_profile.glob("*.json"):  # `aws sso logout`
            path.unlink()
        await until(
            app, pilot, lambda: not app.sso_key.status("corp").usable(now), "the sign-out never showed"
        )


async def test_a_discovery_made_elsewhere_adds_its_roles_to_the_open_app(home, center, sso_profile):  # noqa: F811
    services = real_services()
    services.sso = watched = Watched(services.sso)
    app = RoleswitchApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(app, pilot, watched)
        assert app.catalogue.find(ROLE) is None
        signed_in_elsewhere(center, sso_profile)
        found = discover(load_sso_config().find("corp"))  # `roleswitch discover` in another terminal
        assert DiscoveryCache().save(found)
        await until(
            app, pilot, lambda: app.catalogue.find(ROLE) is not None, "the discovered roles never showed"
        )
