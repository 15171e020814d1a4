"""The demo runs the local federation endpoint, so its console key and command sign in
to the local console page; quitting stops it."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request

import pytest

from roleswitch import cli
from roleswitch.core.aws.federation import ENDPOINT_VARIABLE, FederationError, fetch_signin_token
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.credentials import role_credentials
from roleswitch.core.sso.discovery import DiscoveryCache, discover
from roleswitch.core.sso.login import login
from roleswitch.demo import SSO_SESSION, SSO_SHARED_ACCOUNT, DemoSandbox
from tests.integration.test_demo_sso import approving


def test_the_demo_signs_in_to_its_local_console_page(home, capsys):
    with DemoSandbox() as sandbox:
        endpoint = os.environ[ENDPOINT_VARIABLE]
        assert (
            endpoint.startswith("http://127.0.0.1:")
            and f"export {ENDPOINT_VARIABLE}=" in sandbox.export_lines()
        )
        assert cli.main(["console", "production/Admin", "--print", "--yes"]) == 0
        url = capsys.readouterr().out.strip()
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert "assumed-role/Admin/demo-user" in page and "111111111111" in page
    assert ENDPOINT_VARIABLE not in os.environ
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(endpoint, timeout=2)


def test_a_second_sandbox_in_the_same_process_starts_clean(home):
    """moto's backends are process-wide: a sandbox once found the first one's users and
    failed to seed (EntityAlreadyExists) when the suite ran in one process."""
    with DemoSandbox():
        pass
    with DemoSandbox() as second:
        assert second.url


def test_an_sso_role_of_the_demo_signs_in_to_the_console_page_naming_it(home, capsys):
    """moto does not know the Identity Center's role credentials: the console stand-in asks
    the demo's Identity Center, which names the account and role while they are valid."""
    with DemoSandbox() as sandbox:
        center = sandbox.identity_center
        session = load_sso_config().find(SSO_SESSION)
        assert center is not None and session is not None
        DiscoveryCache().save(discover(session, token=login(session, approving(sandbox.approve_device)[0])))
        target = f"{SSO_SESSION}/Production/SupportUser"
        assert cli.main(["console", target, "--print", "--yes"]) == 0, capsys.readouterr().err
        url = capsys.readouterr().out.strip()
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert f"arn:aws:sts::{SSO_SHARED_ACCOUNT}:assumed-role/AWSReservedSSO_SupportUser_" in page
        assert f"<td>{SSO_SHARED_ACCOUNT}</td>" in page
        # Once role credentials have expired, the console refuses them.
        credentials = role_credentials(session, SSO_SHARED_ACCOUNT, "SupportUser")
        endpoint = os.environ[ENDPOINT_VARIABLE]
        assert fetch_signin_token(endpoint, credentials)
        center.clock = lambda: time.time() + center.credential_lifetime + 60
        with pytest.raises(FederationError, match="refused the session"):
            fetch_signin_token(endpoint, credentials)
