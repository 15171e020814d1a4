"""The demo's IAM Identity Center and organisation: a sign-in approved the demo's ways,
discovery, role credentials, the AWS SDK's view of the sign-in, and moto's organisation."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import threading
import tomllib
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.organizations import discover_organization, load_organization_specs, organization_targets
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.credentials import role_credentials
from roleswitch.core.sso.discovery import DiscoveryCache, discover
from roleswitch.core.sso.login import login
from roleswitch.core.sso.token_cache import TokenCache
from roleswitch.core.sts import StsClient
from roleswitch.demo import (
    ORGANIZATION_ACCOUNTS,
    ORGANIZATION_ROLE,
    SHELL_VARIABLES,
    SSO_ACCOUNTS,
    SSO_PROFILE,
    SSO_SESSION,
    SSO_SHARED_ACCOUNT,
    DemoSandbox,
)

SSO_VARIABLES = ("AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL_ORGANIZATIONS")


def approving(approve):
    """The login's `show`: approves the shown code from another thread, as a person would."""
    shown: list[str] = []

    def show(user_code: str, uri: str, complete: str, expires_in: int) -> None:
        shown.append(complete)
        threading.Thread(target=approve, args=(user_code,), daemon=True).start()

    return show, shown


def test_the_demo_signs_in_to_its_identity_center_discovers_and_gets_role_credentials(home):
    with DemoSandbox() as sandbox:
        center = sandbox.identity_center
        assert center is not None
        for name in SSO_VARIABLES[:2]:
            assert os.environ[name] == center.url
        session = load_sso_config().find(SSO_SESSION)
        assert session is not None and session.start_url == center.start_url
        show, shown = approving(sandbox.approve_device)
        token = login(session, show)
        assert shown and shown[0].startswith(f"{center.url}/device?user_code=")
        # The token is where the AWS CLI keeps it: in the sandbox's home, never the person's.
        cached = TokenCache().path(session)
        assert cached.parent == sandbox.aws_folder / "sso" / "cache"
        assert stat.S_IMODE(cached.stat().st_mode) == 0o600
        assert not (home.root / ".aws" / "sso").exists()

        discovery = discover(session, token=token)
        found = {(role.account_id, role.role_name) for role in discovery.roles()}
        assert found == {(account, role) for account, _, roles in SSO_ACCOUNTS for role in roles}
        names = [role.target_name for role in discovery.roles()]
        assert (
            "roleswitch-demo/Production/AdministratorAccess" in names
            and "roleswitch-demo/Data-Platform/DataEngineer" in names
        )
        assert DiscoveryCache().save(discovery)
        credentials = role_credentials(session, "444444444444", "DataEngineer")
        assert credentials.access_key_id.startswith("ASIA") and credentials.expiration

        # The discovered roles are targets; one account is also a TOML (and SSO profile)
        # account, and the catalogue groups them under one account row.
        catalogue = load_catalogue()
        shared = next(a for a in catalogue.accounts() if a.account_id == SSO_SHARED_ACCOUNT)
        assert {t.origin for t in shared.targets} == {"roleswitch", "aws-config", "sso"}
        assert shared.name == "Production"
        target = catalogue.find("roleswitch-demo/Data-Platform/DataEngineer")
        assert target is not None and target.sso_session == SSO_SESSION
        result = StsClient(mfa_sessions=MfaSessionStore()).assume(target, settings=catalogue.settings)
        assert result.credentials.access_key_id.startswith("ASIA")
        CredentialsFile().write("default", result)
        assert (
            "roleswitch_target = roleswitch-demo/Data-Platform/DataEngineer"
            in (sandbox.aws_folder / "credentials").read_text()
        )


def test_a_roleswitch_sign_in_serves_the_sdk_profile_of_the_demo(home):
    """What the AWS CLI and boto3 see: a fresh process, which reads HOME as the demo set it."""
    with DemoSandbox() as sandbox:
        session = load_sso_config().find(SSO_SESSION)
        assert session is not None and sandbox.identity_center is not None
        script = (
            "import boto3\n"
            f"credentials = boto3.Session(profile_name={SSO_PROFILE!r}).get_credentials()\n"
            "print(credentials.get_frozen_credentials().access_key[:4])\n"
        )
        signed_out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
        assert signed_out.returncode != 0 and "Token" in signed_out.stderr  # not signed in yet
        login(session, approving(sandbox.approve_device)[0])
        before = dict(sandbox.identity_center.calls)
        signed_in = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
        assert signed_in.returncode == 0, signed_in.stderr
        assert signed_in.stdout.strip() == "ASIA"
        # botocore asked this Identity Center for them.
        assert sandbox.identity_center.calls["GetRoleCredentials"] == before.get("GetRoleCredentials", 0) + 1


def test_roleswitch_login_in_a_terminal_is_approved_by_the_printed_line(home):
    """`demo --shell` has no app: its printed curl line (here, the same POST) approves the code
    `roleswitch login` shows, with no browser."""
    with DemoSandbox() as sandbox:
        lines = sandbox.approval_lines()
        approve_url = re.search(r"-d user_code=CODE (\S+/device/approve)", lines).group(1)
        assert f"roleswitch login {SSO_SESSION}" in lines
        assert f"approve its code at {approve_url.rsplit('/', 1)[0]}," in lines
        proc = subprocess.Popen(
            [sys.executable, "-m", "roleswitch", "login", SSO_SESSION],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert sandbox.identity_center is not None
            code = sandbox.identity_center.wait_for_user_code(timeout=30)
            form = urllib.parse.urlencode({"user_code": code}).encode()
            page = urllib.request.urlopen(approve_url, data=form, timeout=5).read().decode()
            assert "Approved" in page
            out, err = proc.communicate(timeout=60)
            assert out == ""  # stdout stays clean
        finally:
            proc.kill()
        assert proc.returncode == 0, err
        assert code in err and f"Signed in to {SSO_SESSION}" in err
        found = sum(len(roles) for _, _, roles in SSO_ACCOUNTS)
        assert f"{len(SSO_ACCOUNTS)} accounts, {found} roles found." in err


def test_the_demo_has_an_organisation_its_toml_discovers(home):
    with DemoSandbox() as sandbox:
        assert os.environ["AWS_ENDPOINT_URL_ORGANIZATIONS"] == sandbox.url
        organizations = boto3.Session(profile_name="demo").client("organizations")
        described = organizations.describe_organization()["Organization"]
        caller = boto3.Session(profile_name="demo").client("sts").get_caller_identity()
        assert described["MasterAccountId"] == caller["Account"]  # the demo user's account manages it
        accounts = organizations.list_accounts()["Accounts"]
        members = {a["Name"] for a in accounts if a["Id"] != described["MasterAccountId"]}
        assert members == set(ORGANIZATION_ACCOUNTS)
        assert all(a["Status"] == "ACTIVE" for a in accounts)
        toml = tomllib.loads((sandbox.folder / "roleswitch.toml").read_text())
        (table,) = toml["discover"]["organizations"]
        assert table["source_profile"] == "demo" and table["role_name"] == ORGANIZATION_ROLE
        # roleswitch's Organizations discovery reads that table and lists the members.
        specs, problems = load_organization_specs()
        assert problems == [] and [spec.name for spec in specs] == ["org"]
        found = discover_organization(specs[0])
        assert {name for _, name in found.accounts} == set(ORGANIZATION_ACCOUNTS)
        targets = organization_targets(specs[0], found)
        assert sorted(t.name for t in targets) == [
            f"org/{name}/{ORGANIZATION_ROLE}" for name in ORGANIZATION_ACCOUNTS
        ]
        result = StsClient(mfa_sessions=MfaSessionStore()).assume(
            targets[0], settings=load_catalogue().settings
        )
        assert result.assumed_arn.endswith(f":assumed-role/{ORGANIZATION_ROLE}/demo-user")


def test_the_shell_lines_point_at_the_identity_center_and_organisations(home):
    with DemoSandbox() as sandbox:
        exports = dict(
            line.removeprefix("export ").split("=", 1) for line in sandbox.export_lines().splitlines()
        )
        assert list(exports) == list(SHELL_VARIABLES) and list(exports)[-1] == "AWS_ENDPOINT_URL_STS"
        assert sandbox.identity_center is not None
        assert exports["AWS_ENDPOINT_URL_SSO"] == exports["AWS_ENDPOINT_URL_SSO_OIDC"]
        assert exports["AWS_ENDPOINT_URL_SSO"] == sandbox.identity_center.url
        assert exports["AWS_ENDPOINT_URL_ORGANIZATIONS"] == sandbox.url
        url = sandbox.identity_center.url
        answer = json.loads(
            urllib.request.urlopen(
                urllib.request.Request(
                    f"{url}/client/register",
                    data=b'{"clientName": "probe", "clientType": "public"}',
                    method="POST",
                ),
                timeout=5,
            ).read()
        )
        assert answer["clientId"]
    for name in SSO_VARIABLES:
        assert name not in os.environ
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/device", timeout=2)
