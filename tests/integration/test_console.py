"""`roleswitch console` against moto's STS and the project's local federation endpoint.

The stand-in checks each session with STS (GetCallerIdentity against moto), so a
sign-in works only with credentials STS really issued; its console page says who
signed in. The browser is a recording command (a script that writes its argv), not
a mock.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roleswitch.core.aws import federation
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.model import Credentials
from roleswitch.local.federation import FederationStandIn

ROOT = Path(__file__).resolve().parents[2]
ROLE = "arn:aws:iam::123456789012:role/Admin"


@pytest.fixture
def stand_in(moto, monkeypatch):
    server = FederationStandIn(moto.url).start()
    monkeypatch.setenv(federation.ENDPOINT_VARIABLE, server.endpoint)
    yield server
    server.stop()


@pytest.fixture
def accounts(home, moto):
    """corp: an IAM user's long-term keys; admin: a role assumed with them; chained: a role
    assumed with admin's role credentials."""
    user_arn, key, secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    home.write(
        config="[profile corp]\nregion = eu-west-1\n"
        f"[profile admin]\nrole_arn = {ROLE}\nsource_profile = corp\nregion = eu-west-1\n"
        "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/Chained\nsource_profile = admin\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    return home


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=timeout,
    )


def follow(url: str) -> str:
    """What a browser shows for the sign-in URL: the stand-in's console page."""
    return urllib.request.urlopen(url, timeout=5).read().decode()


def sessions_sent(stand_in: FederationStandIn) -> list[dict]:
    return [json.loads(q["Session"]) for q in stand_in.requests if q.get("Action") == "getSigninToken"]


def test_print_prints_one_line_that_signs_in_as_the_active_session(accounts, stand_in):
    assert run("assume", "admin").returncode == 0
    done = run("console", "--print")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.count("\n") == 1
    url = done.stdout.strip()
    assert url.startswith(stand_in.endpoint + "?Action=login&Issuer=roleswitch&Destination=")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["Destination"] == ["https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"]
    page = follow(url)
    assert "arn:aws:sts::123456789012:assumed-role/Admin/" in page
    active = CredentialsFile().read_credentials("default")
    assert sessions_sent(stand_in) == [
        {
            "sessionId": active.access_key_id,
            "sessionKey": active.secret_access_key,
            "sessionToken": active.session_token,
        }
    ]
    assert active.secret_access_key not in page and active.session_token not in page


def test_console_target_assumes_it_without_writing_any_file(accounts, stand_in):
    before = accounts.credentials.read_bytes()
    done = run(
        "console", "admin", "--print", "--destination", "s3", "--duration", "2h", "--region", "eu-north-1"
    )
    assert done.returncode == 0, done.stderr
    assert accounts.credentials.read_bytes() == before
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(done.stdout.strip()).query)
    assert query["Destination"] == ["https://eu-north-1.console.aws.amazon.com/s3/home?region=eu-north-1"]
    assert stand_in.requests[0]["SessionDuration"] == "7200"
    assert "assumed-role/Admin/" in follow(done.stdout.strip())


def test_the_browser_template_is_run_with_the_right_arguments(accounts, stand_in, tmp_path):
    record = tmp_path / "argv.json"
    script = tmp_path / "record_browser.py"
    script.write_text(
        "import json, sys\n"
        f"open({str(record)!r} + '.part', 'w').write(json.dumps(sys.argv[1:]))\n"
        f"__import__('os').replace({str(record)!r} + '.part', {str(record)!r})\n"
    )
    template = (
        f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{container}} {{colour}} "
        "'ext+container:name={container}&color={colour}&url={url}' {url}"
    )
    accounts.write(config=accounts.config.read_text(), toml=f"[settings]\nbrowser = {json.dumps(template)}\n")
    done = run("console", "admin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Opened the console as admin (eu-west-1) with ")
    assert "Action=login" not in done.stdout + done.stderr
    deadline = time.monotonic() + 10
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    container, colour, firefox_url, url = json.loads(record.read_text())
    assert container == "admin"
    assert colour in ("blue", "turquoise", "green", "yellow", "orange", "red", "pink", "purple")
    assert firefox_url == (f"ext+container:name=admin&color={colour}&url=" + urllib.parse.quote(url, safe=""))
    assert "assumed-role/Admin/" in follow(url)


def test_a_chained_role_refuses_a_session_length_before_any_call(accounts, stand_in):
    done = run("console", "chained", "--print", "--duration", "1h")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "role chaining" in done.stderr
    assert stand_in.requests == []


def test_long_term_keys_sign_in_through_a_federation_token_and_say_so(accounts, stand_in):
    done = run("console", "corp", "--print")
    assert done.returncode == 0, done.stderr
    assert "long-term IAM user keys" in done.stderr and "GetFederationToken" in done.stderr
    assert done.stdout.count("\n") == 1
    assert "federated user" in follow(done.stdout.strip())


def test_no_active_session_is_one_sentence(accounts, stand_in):
    done = run("console")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == (
        "roleswitch: No roleswitch session in [default] to open the console with; assume a role first, "
        "or name one: roleswitch console TARGET.\n"
    )


# --- what the endpoint answers ------------------------------------------------------------------


def _fake(key: str = "ASIAFAKEFAKEFAKE0001") -> Credentials:
    return Credentials(key, "c2VjcmV0", "dG9rZW4=", datetime.now(UTC) + timedelta(hours=1))


def test_the_stand_in_refuses_a_session_sts_never_issued(stand_in):
    with pytest.raises(federation.FederationError) as caught:
        federation.fetch_signin_token(stand_in.endpoint, _fake())
    assert "refused the session (HTTP 400" in str(caught.value)
    assert "c2VjcmV0" not in str(caught.value) and "dG9rZW4" not in str(caught.value)


@pytest.mark.parametrize(
    "query",
    [
        {"Action": "getSigninToken", "Session": '{"sessionId":"ASIAFAKEFAKEFAKE0001"}'},
        {"Action": "getSigninToken", "Session": "not json"},
        {
            "Action": "getSigninToken",
            "SessionDuration": "43201",
            "Session": '{"sessionId":"ASIAFAKEFAKEFAKE0001","sessionKey":"a","sessionToken":"b"}',
        },
        {
            "Action": "getSigninToken",
            "Session": '{"sessionId":"AKIAFAKEFAKEFAKE0001","sessionKey":"a","sessionToken":"b"}',
        },
        {"Action": "login", "SigninToken": "never-issued", "Destination": "https://x"},
    ],
)
def test_the_stand_in_answers_400_to_a_bad_request(stand_in, query):
    url = f"{stand_in.endpoint}?{urllib.parse.urlencode(query)}"
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(url, timeout=5)
    assert caught.value.code == 400


def test_a_refused_endpoint_is_one_sentence_at_once(accounts, stand_in, monkeypatch):
    assert run("assume", "admin").returncode == 0
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setenv(federation.ENDPOINT_VARIABLE, f"http://127.0.0.1:{port}/federation")
    started = time.monotonic()
    done = run("console", "--print", timeout=30)
    assert time.monotonic() - started < 10
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("roleswitch: Could not reach the AWS sign-in endpoint (127.0.0.1: ")
    assert done.stderr.count("\n") == 1


def _serve(behaviour) -> tuple[str, threading.Event]:
    """A TCP server on 127.0.0.1 that runs `behaviour(conn, stop)` for each connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def loop() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=behaviour, args=(conn, stop), daemon=True).start()
        listener.close()

    threading.Thread(target=loop, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/federation", stop


def _silent(conn, stop) -> None:
    stop.wait(10)
    conn.close()


def _dripping(conn, stop) -> None:
    conn.recv(65536)
    for byte in b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"SigninToken": "':
        if stop.wait(0.1):
            break
        conn.sendall(bytes([byte]))
    conn.close()


@pytest.mark.parametrize("behaviour", [_silent, _dripping], ids=["silent", "dripping"])
def test_a_silent_or_dripping_endpoint_is_one_sentence_within_the_deadline(behaviour):
    endpoint, stop = _serve(behaviour)
    timeouts = federation.FederationTimeouts(socket=0.5, deadline=1.5)
    started = time.monotonic()
    try:
        with pytest.raises(federation.FederationError) as caught:
            federation.fetch_signin_token(endpoint, _fake(), timeouts=timeouts)
    finally:
        stop.set()
    assert time.monotonic() - started < 2.5
    assert "did not answer within" in str(caught.value)
