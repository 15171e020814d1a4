"""`roleswitch logout --sso [SESSION]` against the local Identity Center: the portal ends the
sign-in (its tokens are refused afterwards, by boto3 too), the AWS CLI's cache file goes, and
a portal that cannot be reached still loses the file here, said in one sentence."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from datetime import timedelta

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from roleswitch import cli
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.logout import sign_out
from roleswitch.core.sts import Timeouts
from tests.local.identity_center_helpers import write_cli_token_cache


def run(capsys, *words: str) -> tuple[int, str, str]:
    code = cli.main(list(words))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(center, access_token: str) -> bool:
    """The portal refuses the token, as every AWS tool would meet it."""
    client = boto3.session.Session().client(
        "sso", region_name="us-east-1", endpoint_url=center.url, config=Config(signature_version=UNSIGNED)
    )
    try:
        client.list_accounts(accessToken=access_token)
    except client.exceptions.UnauthorizedException:
        return True
    return False


def _cache_file(folder, name: str):
    return folder / (hashlib.sha1(name.encode()).hexdigest() + ".json")


@pytest.fixture
def signed_in(sso_profile, center):
    return write_cli_token_cache(sso_profile, center, timedelta(hours=8))


@pytest.fixture
def two_signed_in(home, sso_profile, center, signed_in):
    """Sessions corp and lab, each with its own sign-in."""
    home.write(
        home.config.read_text()
        + f"\n[sso-session lab]\nsso_start_url = {center.start_url}\nsso_region = us-east-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    lab = json.loads(_cache_file(sso_profile, "corp").read_text())
    lab["accessToken"], lab["refreshToken"] = center.issue_token(client_id=lab["clientId"])
    _cache_file(sso_profile, "lab").write_text(json.dumps(lab))
    _cache_file(sso_profile, "lab").chmod(0o600)
    return {"corp": signed_in, "lab": lab}


def test_logout_sso_ends_the_sign_in_at_the_portal_and_removes_the_cache_file(
    center, sso_profile, signed_in, capsys
):
    assert not _refused(center, signed_in["accessToken"])
    code, out, err = run(capsys, "logout", "--sso")
    assert (code, out, err) == (0, "Signed out of corp.\n", "")
    assert center.calls["Logout"] == 1
    assert _refused(center, signed_in["accessToken"])
    assert not _cache_file(sso_profile, "corp").exists()
    assert not list(sso_profile.glob(".*lock*"))
    code, out, _ = run(capsys, "logout", "--sso")
    assert (code, out) == (0, "Not signed in to any SSO session here; nothing to sign out of.\n")
    assert center.calls["Logout"] == 1


def test_logout_sso_session_signs_out_of_that_one_only(center, sso_profile, two_signed_in, capsys):
    code, out, _ = run(capsys, "logout", "--sso", "lab")
    assert (code, out) == (0, "Signed out of lab.\n")
    assert _refused(center, two_signed_in["lab"]["accessToken"])
    assert not _refused(center, two_signed_in["corp"]["accessToken"])
    assert _cache_file(sso_profile, "corp").exists() and not _cache_file(sso_profile, "lab").exists()
    code, out, _ = run(capsys, "logout", "--sso", "lab")
    assert (code, out) == (0, "Not signed in to lab here; nothing to sign out of.\n")
    code, out, _ = run(capsys, "logout", "--sso")
    assert (code, out) == (0, "Signed out of corp.\n")


def test_every_signed_in_session_gets_its_line(center, two_signed_in, capsys):
    code, out, _ = run(capsys, "logout", "--sso")
    assert (code, out) == (0, "Signed out of corp.\nSigned out of lab.\n")
    assert center.calls["Logout"] == 2


def test_an_unknown_session_is_a_usage_error_that_names_the_configured_ones(signed_in, sso_profile, capsys):
    code, out, err = run(capsys, "logout", "--sso", "nope")
    assert code == 2 and out == ""
    assert err.startswith("roleswitch: there is no SSO session named nope.\n") and "  corp  " in err
    assert _cache_file(sso_profile, "corp").exists()


def test_an_unreachable_portal_still_removes_the_sign_in_here_and_says_so(
    center, sso_profile, signed_in, monkeypatch, capsys
):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", f"http://127.0.0.1:{closed.getsockname()[1]}")
    closed.close()  # nothing listens there: connection refused
    code, out, err = run(capsys, "logout", "--sso")
    assert code == 1 and err == ""
    assert out.startswith(
        "Signed out of corp here, but the IAM Identity Center portal could not be reached, "
        "so the sign-in may still work elsewhere until "
    )
    assert out.count("\n") == 1 and signed_in["accessToken"] not in out
    assert not _cache_file(sso_profile, "corp").exists()
    assert not _refused(center, signed_in["accessToken"])  # the portal never heard of it


def test_a_silent_portal_is_given_up_on_in_bounded_time(
    corp, sso_profile, signed_in, monkeypatch, silent_port
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", silent_port)
    timeouts = Timeouts(connect=0.3, read=0.3, attempts=1)
    started = time.monotonic()
    result = sign_out(corp, timeouts=timeouts)
    assert time.monotonic() - started < timeouts.deadline + 1
    assert result is not None and result.portal_problem == "could not be reached"
    assert not _cache_file(sso_profile, "corp").exists()


def test_an_expired_sign_in_is_removed_without_asking_the_portal(center, sso_profile, capsys):
    write_cli_token_cache(sso_profile, center, timedelta(hours=-1))
    code, out, _ = run(capsys, "logout", "--sso")
    assert (code, out) == (0, "Signed out of corp.\n")
    assert center.calls["Logout"] == 0 and not _cache_file(sso_profile, "corp").exists()


def test_plain_logout_keeps_sso_sign_ins_and_says_how_to_end_them(center, sso_profile, signed_in, capsys):
    code, out, _ = run(capsys, "logout")
    assert code == 0
    assert out.splitlines()[-1] == "SSO sign-ins are kept; `roleswitch logout --sso` signs out."
    assert _cache_file(sso_profile, "corp").exists() and center.calls["Logout"] == 0
    assert not _refused(center, signed_in["accessToken"])


def test_plain_logout_without_sso_sign_ins_says_nothing_about_them(home, capsys):
    code, out, _ = run(capsys, "logout")
    assert code == 0 and "SSO" not in out and len(out.splitlines()) == 1
    assert load_sso_config().sessions == ()
