"""Listing an organisation's accounts against moto's Organizations and STS servers."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from roleswitch.core.organizations import (
    OrganizationsError,
    OrganizationSpec,
    discover_organization,
    organization_targets,
)
from roleswitch.core.sts import StsClient, Timeouts
from tests.organizations.conftest import source_profile
from tests.sso.conftest import silent_port  # noqa: F401  (a fixture)

ROLE = "OrganizationAccountAccessRole"
SPEC = OrganizationSpec("acme", "mgmt", ROLE, file="/cfg/config.toml", line=3)


def test_every_active_member_account_over_several_pages(organization) -> None:
    ids = organization.add(*(f"team-{n:02}" for n in range(24)))
    organization.close("team-05")
    pages: list[int] = []

    found = discover_organization(SPEC, progress=pages.append)

    # 26 accounts with the management one: two pages of 20 at most (moto honours MaxResults).
    assert pages == [18, 23]  # the first page: the management account, and team-05 closed
    assert found.management_account_id == organization.management_account_id
    assert found.management_account_id not in dict(found.accounts)
    assert found.accounts == tuple((i, f"team-{n:02}") for n, i in enumerate(ids) if n != 5)
    assert (found.spec_name, found.source_profile, found.partition) == ("acme", "mgmt", "aws")


def test_small_pages_lose_nothing(organization) -> None:
    ids = organization.add("a", "b", "c", "d", "e")
    pages: list[int] = []
    found = discover_organization(SPEC, page_size=2, progress=pages.append)
    assert [i for i, _ in found.accounts] == ids
    assert pages == [1, 3, 5]


def test_targets_are_named_after_the_organisation_and_the_account(organization) -> None:
    dev, team_a, team_a_too = organization.add("dev", "Team A", "Team/A")
    found = discover_organization(SPEC)
    targets = organization_targets(SPEC, found)
    assert [(t.name, t.account_id, t.account_name) for t in targets] == [
        ("acme/dev/OrganizationAccountAccessRole", dev, "dev"),
        # two names that clean alike: both get their account id
        (f"acme/Team-A-{team_a}/OrganizationAccountAccessRole", team_a, "Team A"),
        (f"acme/Team-A-{team_a_too}/OrganizationAccountAccessRole", team_a_too, "Team/A"),
    ]
    first = targets[0]
    assert first.role_arn == f"arn:aws:iam::{dev}:role/{ROLE}"
    assert (first.origin, first.role_name, first.source_profile) == ("organizations", ROLE, "mgmt")
    assert (first.file, first.line, first.problem) == ("/cfg/config.toml", 3, None)


def test_the_spec_options_reach_every_target(organization) -> None:
    (dev,) = organization.add("dev")
    spec = OrganizationSpec(
        "My Org",
        "mgmt",
        "ops/Admin",
        region="eu-west-1",
        mfa_serial="arn:aws:iam::123456789012:mfa/alice",
        duration_seconds=7200,
        external_id="ext-1",
        session_name="alice",
    )
    (target,) = organization_targets(spec, discover_organization(spec))
    assert target.name == "My-Org/dev/Admin"
    assert target.role_arn == f"arn:aws:iam::{dev}:role/ops/Admin"
    assert target.role_name == "Admin"
    assert (target.region, target.mfa_serial, target.duration_seconds) == (
        "eu-west-1",
        "arn:aws:iam::123456789012:mfa/alice",
        7200,
    )
    assert (target.external_id, target.session_name) == ("ext-1", "alice")


def test_a_discovered_target_can_be_assumed_with_the_source_profiles_keys(organization) -> None:
    (dev,) = organization.add("dev")
    (target,) = organization_targets(SPEC, discover_organization(SPEC))
    result = StsClient().assume(target)
    assert result.assumed_arn.startswith(f"arn:aws:sts::{dev}:assumed-role/{ROLE}/")
    assert result.credentials.access_key_id.startswith("ASIA")


def test_a_user_not_allowed_to_list_accounts_gets_one_sentence(organization, home) -> None:
    """moto refuses with HTTP 403 and an XML body (not the JSON AccessDeniedException AWS sends:
    see the next test); either is access denied."""
    organization.add("dev")
    _, key, secret = organization.moto.create_user("viewer", can_assume=False)
    source_profile(home, "viewer", (key, secret))
    organization.moto.enforce_auth()
    spec = OrganizationSpec("acme", "viewer", ROLE)
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(spec)
    assert caught.value.code == "access-denied", str(caught.value)
    assert str(caught.value) == (
        "Access denied listing the accounts of organisation acme: source profile 'viewer' of "
        "organisation acme must be in the management account (or a delegated administrator) and "
        "allowed organizations:ListAccounts and organizations:DescribeOrganization."
    )
    assert secret not in str(caught.value)


def test_access_denied_as_aws_sends_it(fake) -> None:
    fake(error="AccessDeniedException")
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC)
    assert caught.value.code == "access-denied"


def test_an_account_outside_any_organisation_gets_one_sentence(organization) -> None:
    organization.client().delete_organization()
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC)
    assert caught.value.code == "not-in-use"
    assert str(caught.value) == (
        "The account of source profile 'mgmt' of organisation acme is not in an organisation; "
        "set source_profile to a profile of the organisation's management account."
    )


@pytest.mark.parametrize(
    ("profile", "config", "code", "words"),
    [
        ("nobody", "", "bad-source", "does not exist; add it to ~/.aws/config"),
        ("empty", "[profile empty]\nregion = us-east-1\n", "bad-source", "No credentials were found"),
        ("broken", "[profile broken\n", "bad-source", "`roleswitch list` shows the line to fix"),
    ],
)
def test_a_source_profile_without_credentials(home, monkeypatch, profile, config, code, words) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:9")  # never reached
    home.write(config)
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(OrganizationSpec("acme", profile, ROLE))
    assert caught.value.code == code
    assert words in str(caught.value)


def test_a_source_that_would_prompt_for_an_mfa_code_is_refused(organization, home) -> None:
    home.write(
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = mgmt\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n\n"
        "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/Ops\nsource_profile = admin\n"
    )
    for profile in ("admin", "chained"):
        with pytest.raises(OrganizationsError) as caught:
            discover_organization(OrganizationSpec("acme", profile, ROLE))
        assert caught.value.code == "bad-source"
        assert "(mfa_serial of profile 'admin'), which listing accounts cannot ask for" in str(caught.value)


def test_an_endpoint_that_never_answers_fails_in_bounded_time(home, monkeypatch, silent_port) -> None:  # noqa: F811
    source_profile(home)
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", silent_port)
    timeouts = Timeouts(connect=0.5, read=0.5, attempts=1)
    started = time.monotonic()
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC, timeouts=timeouts)
    assert time.monotonic() - started < timeouts.deadline + 1
    assert caught.value.code == "no-connection"
    assert "did not answer" in str(caught.value)


def test_an_endpoint_that_drips_is_cut_at_the_deadline(fake) -> None:
    """botocore's read timeout counts per read: a byte every 0.2 s never trips it."""
    fake(drip=True)
    timeouts = Timeouts(connect=0.5, read=0.5, attempts=1)  # deadline 3 s
    started = time.monotonic()
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC, timeouts=timeouts)
    assert time.monotonic() - started < timeouts.deadline + 1
    assert str(caught.value) == (
        "AWS Organizations did not answer within 3s (organisation acme); check the network, or "
        "AWS_ENDPOINT_URL_ORGANIZATIONS if you set it, and try again."
    )


def test_throttling_is_retried_with_backoff(fake) -> None:
    fake(throttle=3)
    waits: list[float] = []
    found = discover_organization(SPEC, sleep=waits.append)
    assert found.accounts == (("222222222222", "dev"),)
    assert len(waits) == 3 and all(0 <= w <= 3.0 for w in waits)


def test_throttling_that_never_ends_is_one_sentence(fake) -> None:
    fake(throttle=1000)
    waits: list[float] = []
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC, sleep=waits.append)
    assert caught.value.code == "throttled"
    assert len(waits) == 7  # eight attempts in all


def test_an_answer_that_is_not_organizations_is_one_sentence(fake) -> None:
    fake(garbage=True)
    with pytest.raises(OrganizationsError) as caught:
        discover_organization(SPEC)
    assert caught.value.code == "bad-answer"


class _FakeOrganizations:
    """A stand-in speaking the Organizations JSON protocol (moto cannot throttle or drip):
    the management account 111111111111 and one member, after `throttle` refusals."""

    def __init__(
        self, *, throttle: int = 0, drip: bool = False, garbage: bool = False, error: str = ""
    ) -> None:
        state = {"throttle": throttle}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                action = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
                if drip:
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    for _ in range(40):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.2)
                    return
                if garbage:
                    return self._send(200, b"<html>a captive portal</html>")
                if error or state["throttle"] > 0:
                    state["throttle"] -= 1
                    body = {"__type": error or "TooManyRequestsException", "Message": "no"}
                    return self._send(400, json.dumps(body).encode())
                if action == "DescribeOrganization":
                    org = {"Arn": "arn:aws:organizations::111111111111:organization/o-1", "Id": "o-1"}
                    return self._send(
                        200, json.dumps({"Organization": {**org, "MasterAccountId": "111111111111"}}).encode()
                    )
                accounts = [
                    {"Id": "111111111111", "Name": "root", "Status": "ACTIVE"},
                    {"Id": "222222222222", "Name": "dev", "Status": "ACTIVE"},
                ]
                return self._send(200, json.dumps({"Accounts": accounts}).encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Polling every 50 ms, not the default 500 ms: shutdown() waits for the next poll.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake(home, monkeypatch):
    """Starts a `_FakeOrganizations` with the given options, and points the `mgmt` profile at it."""
    servers: list[_FakeOrganizations] = []

    def start(**options) -> _FakeOrganizations:
        servers.append(_FakeOrganizations(**options))
        monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", servers[-1].url)
        return servers[-1]

    source_profile(home)
    yield start
    for server in servers:
        server.close()
