"""Every STS failure becomes one sentence naming the next step.

Error responses are real botocore exceptions (built the way botocore builds them
from a wire response); the silent-endpoint case uses a real loopback socket.
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from botocore import exceptions as bx
from botocore.stub import Stubber

from roleswitch.core.errors import AssumeError
from roleswitch.core.model import Settings
from roleswitch.core.sts import StsClient, Timeouts, map_error
from tests.factories import make_target

TARGET = make_target(region="eu-west-1")


def client_error(code: str, message: str = "msg") -> bx.ClientError:
    return bx.ClientError({"Error": {"Code": code, "Message": message}}, "AssumeRole")


@pytest.mark.parametrize(
    ("error", "code", "words"),
    [
        (
            client_error(
                "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."
            ),
            "mfa-rejected",
            "MFA code was not accepted",
        ),
        (client_error("AccessDenied", "User is not authorized"), "access-denied", "trust policy"),
        (client_error("InvalidClientTokenId"), "bad-source", "source profile 'corp' are not valid"),
        (client_error("SignatureDoesNotMatch"), "bad-source", "aws configure --profile corp"),
        (client_error("ExpiredToken"), "expired-source", "have expired"),
        (client_error("RegionDisabledException"), "region-disabled", "eu-west-1"),
        (client_error("Throttling"), "throttled", "wait a few seconds"),
        (
            client_error("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit"),
            "invalid",
            "1 hour session limit",
        ),
        (bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), "no-connection", "127.0.0.1:1"),
        (bx.ReadTimeoutError(endpoint_url="http://x"), "no-connection", "did not answer in time"),
        (bx.ProfileNotFound(profile="corp"), "bad-source", "does not exist"),
        (bx.NoCredentialsError(), "bad-source", "No credentials"),
        (bx.UnauthorizedSSOTokenError(), "expired-source", "aws sso login --profile corp"),
        (
            bx.CredentialRetrievalError(provider="custom-process", error_msg="token=SECRET123\nboom"),
            "bad-source",
            "The credential_process of source profile 'corp' failed; run it by hand",
        ),
    ],
)
def test_error_sentences(error, code, words):
    mapped = map_error(error, TARGET)
    assert isinstance(mapped, AssumeError) and mapped.code == code
    assert words in str(mapped) and "SECRET123" not in str(mapped)
    assert "\n" not in str(mapped) and str(mapped).endswith((".", ")"))


def test_stubbed_success_response_is_parsed(monkeypatch):
    import boto3

    client = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="A", aws_secret_access_key="B")
    stub = Stubber(client)
    stub.add_response(
        "assume_role",
        {
            "Credentials": {
                "AccessKeyId": "ASIASTUBSTUBSTUB0001",
                "SecretAccessKey": "s" * 40,
                "SessionToken": "t" * 40,
                "Expiration": datetime.now(UTC) + timedelta(hours=1),
            },
            "AssumedRoleUser": {
                "AssumedRoleId": "AROA:alice",
                "Arn": "arn:aws:sts::111111111111:assumed-role/Admin/alice",
            },
        },
        {"RoleArn": TARGET.role_arn, "RoleSessionName": "alice", "DurationSeconds": 3600},
    )

    class Session:
        region_name = "eu-west-1"

        def client(self, *args, **kwargs):
            return client

    sts = StsClient()
    monkeypatch.setattr(sts, "_source_session", lambda target: Session())
    with stub:
        result = sts.assume(TARGET, settings=Settings(session_name="alice"))
    assert result.assumed_arn.endswith("assumed-role/Admin/alice")
    assert result.region == "eu-west-1" and "s" * 40 not in repr(result)


def test_needs_mfa_code_and_validates_it_before_calling():
    from dataclasses import replace

    target = replace(TARGET, mfa_serial="arn:aws:iam::111111111111:mfa/alice")
    with pytest.raises(AssumeError, match="needs an MFA code"):
        StsClient().assume(target)
    with pytest.raises(Exception, match="6 digits"):
        StsClient().assume(target, mfa_code="12")


def test_silent_endpoint_fails_within_bound(home, monkeypatch):
    """An endpoint that accepts and never answers: bounded by attempts x read timeout."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_hold():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_and_hold, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{server.getsockname()[1]}")
    home.write(credentials="[corp]\naws_access_key_id = AKIAFAKE\naws_secret_access_key = s\n")
    start = time.monotonic()
    with pytest.raises(AssumeError, match="did not answer in time"):
        StsClient(Timeouts(connect=1, read=1, attempts=2)).assume(TARGET)
    assert time.monotonic() - start < 8
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_a_wrong_mfa_code_starts_no_session_and_says_so(home, monkeypatch):
    """GetSessionToken refusing the code: one sentence, nothing cached, no AssumeRole."""
    from dataclasses import replace

    import boto3

    from roleswitch.core.mfa_sessions import MfaSessionStore

    target = replace(TARGET, mfa_serial="arn:aws:iam::111111111111:mfa/alice")
    client = boto3.client("sts", region_name="eu-west-1", aws_access_key_id="a", aws_secret_access_key="b")
    stub = Stubber(client)
    stub.add_client_error(
        "get_session_token",
        service_error_code="AccessDenied",
        service_message="MultiFactorAuthentication failed with invalid MFA one time pass code.",
        http_status_code=403,
    )

    class Session:
        region_name = "eu-west-1"

        def client(self, *args, **kwargs):
            return client

    store = MfaSessionStore()
    sts = StsClient(mfa_sessions=store)
    monkeypatch.setattr(sts, "_source_session", lambda target: Session())
    with stub, pytest.raises(AssumeError) as raised:
        sts.assume(target, settings=Settings(session_name="alice"), mfa_code="123456")
    stub.assert_no_pending_responses()  # and nothing else was called
    assert raised.value.code == "mfa-rejected"
    assert str(raised.value) == "The MFA code was not accepted; wait for the next code and try again."
    assert store.count() == 0


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def answer(**changes):
    creds = {
        "AccessKeyId": "ASIAEXAMPLE000000001",
        "SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "SessionToken": "FwoGZXIvYXdzEBY+/=",
        "Expiration": NOW + timedelta(hours=1),
    }
    creds.update(changes)
    return {"Credentials": {k: v for k, v in creds.items() if v is not None}}


@pytest.mark.parametrize("hours", [0.01, 1, 12, 36, 36.2])
def test_usable_credentials_accepts_what_sts_grants(hours):
    from roleswitch.core.sts import usable_credentials

    expiration = NOW + timedelta(hours=hours)
    assert usable_credentials(answer(Expiration=expiration), NOW).expiration == expiration


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Expiration": NOW}, "they expired at 2026-11-23 12:00 UTC"),
        ({"Expiration": NOW.replace(year=2000)}, "they expired at 2000-11-23 12:00 UTC"),
        ({"Expiration": NOW.replace(day=25)}, "longer than STS ever grants"),
        ({"Expiration": "2026-11-23T13:00:00Z"}, "expiration is missing or not a time"),
        ({"Expiration": None}, "expiration is missing or not a time"),
        ({"AccessKeyId": "ASIA" + "X" * 125}, "access key id"),
        ({"AccessKeyId": "ASIA\u0661" + "X" * 15}, "access key id"),
        ({"SecretAccessKey": "a\nb"}, "secret key"),
        ({"SecretAccessKey": "s" * 1025}, "secret key"),
        ({"SessionToken": "t\r"}, "session token"),
        ({"SessionToken": "t" * 16385}, "session token"),
    ],
)
def test_usable_credentials_refuses_the_rest(changes, reason):
    from roleswitch.core.sts import usable_credentials

    with pytest.raises(AssumeError) as raised:
        usable_credentials(answer(**changes), NOW)
    message = str(raised.value)
    assert raised.value.code == "bad-answer" and reason in message
    assert message.startswith("STS answered with credentials roleswitch cannot use (")
    assert message.endswith("); nothing was written.") and "\n" not in message


def test_naive_expiration_is_read_as_utc():
    from roleswitch.core.sts import usable_credentials

    naive = (NOW + timedelta(hours=1)).replace(tzinfo=None)
    assert usable_credentials(answer(Expiration=naive), NOW).expiration == NOW + timedelta(hours=1)


def test_the_overall_deadline_is_the_readme_bound():
    assert Timeouts().deadline == 18
