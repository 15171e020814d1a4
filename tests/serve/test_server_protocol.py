"""The credential server over real HTTP on 127.0.0.1: who gets an answer, and what.

The server runs in this process with a fixed credentials provider; requests go
through real sockets (urllib and raw sockets for the malformed ones), and botocore's
own container provider reads it unchanged.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import Credentials
from roleswitch.serve.server import PATH, CredentialServer, Limits, loopback_host

SECRET = "served-secret-key/abc+def="
TOKEN_VALUE = "served-session-token+xyz="


def credentials() -> Credentials:
    return Credentials("ASIASERVEDKEY0000001", SECRET, TOKEN_VALUE, datetime.now(UTC) + timedelta(hours=1))


@pytest.fixture
def server():
    served = CredentialServer(credentials, limits=Limits(deadline=1.5, read_timeout=1.0)).start()
    yield served
    served.stop()


def get(server: CredentialServer, *, path: str = PATH, token: str | None = "right", headers=None):
    """(status, body) of a GET; `token="right"` sends the server's own."""
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = server.token if token == "right" else token
    request = urllib.request.Request(f"http://127.0.0.1:{server.port}{path}", headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def raw(server: CredentialServer, data: bytes, *, timeout: float = 5) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_right_token_gets_the_container_credentials_json(server):
    status, body = get(server)
    assert status == 200
    answer = json.loads(body)
    assert answer["AccessKeyId"] == "ASIASERVEDKEY0000001"
    assert answer["SecretAccessKey"] == SECRET and answer["Token"] == TOKEN_VALUE
    assert answer["Expiration"].endswith("Z")
    assert server.answered == 1


def test_botocores_container_provider_reads_it_unchanged(server):
    from botocore.credentials import ContainerProvider

    provider = ContainerProvider(environ=server.environment())
    frozen = provider.load().get_frozen_credentials()
    assert (frozen.access_key, frozen.secret_key, frozen.token) == (
        "ASIASERVEDKEY0000001",
        SECRET,
        TOKEN_VALUE,
    )


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("", 401), ("wrong", 403), ("Bearer right", 403)])
def test_a_missing_or_wrong_token_gets_no_credential(server, token, status):
    got, body = get(server, token=token)
    assert got == status
    assert SECRET not in body and "ASIA" not in body
    assert server.answered == 0 and server.refused == 1


def test_the_token_with_one_character_changed_is_refused(server):
    wrong = server.token[:-1] + ("A" if server.token[-1] != "A" else "B")
    assert get(server, token=wrong)[0] == 403


@pytest.mark.parametrize(
    "path", ["/", "/roleswitch/credentials/", PATH + "?x=1", "/latest/meta-data/", "//x"]
)
def test_any_other_path_is_not_found_even_with_the_token(server, path):
    status, body = get(server, path=path)
    assert status == 404
    assert SECRET not in body


def test_other_methods_are_refused(server):
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{PATH}",
        data=b"x",
        method="POST",
        headers={"Authorization": server.token},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 405


def test_a_foreign_host_header_is_refused(server):
    """A web page that rebinds its own name to 127.0.0.1 sends its name as Host."""
    status, _ = get(server, headers={"Host": "evil.example:80"})
    assert status == 400
    assert get(server, headers={"Host": f"localhost:{server.port}"})[0] == 200


def test_an_oversized_request_is_refused_without_reading_it(server):
    header = b"X-Padding: " + b"a" * 20000 + b"\r\n"
    request = b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + b"\r\n"
    answer = raw(server, request)
    assert answer.split(b"\r\n", 1)[0].split()[1] in (b"413", b"400")
    assert SECRET.encode() not in answer


def test_a_request_with_a_body_is_refused(server):
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {server.token}\r\n"
        "Content-Length: 5\r\n\r\nhello"
    ).encode()
    assert raw(server, request).startswith(b"HTTP/1.0 413")


@pytest.mark.parametrize(
    "header", ["Content-Length: banana", "Content-Length: -1", "Transfer-Encoding: chunked"]
)
def test_a_malformed_or_chunked_body_is_refused_without_a_traceback(server, header, capfd):
    request = f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {server.token}\r\n{header}\r\n\r\n"
    assert raw(server, request.encode()).startswith(b"HTTP/1.0 413")
    assert get(server)[0] == 200  # and the server goes on
    assert "Traceback" not in capfd.readouterr().err


def test_a_slow_client_does_not_stall_others_and_is_cut_off(server):
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    slow.sendall(b"GET " + PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never ends it
    began = time.monotonic()
    for _ in range(5):
        assert get(server)[0] == 200
    assert time.monotonic() - began < 1.0  # the others were never queued behind it

    dripping = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    stop = threading.Event()

    def drip() -> None:  # one byte every 0.3 s: never trips the 1 s read timeout
        for byte in b"GET / HTTP/1.1\r\nX-Slow: " + b"a" * 100:
            if stop.is_set():
                return
            try:
                dripping.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(0.3)

    dripper = threading.Thread(target=drip, daemon=True)
    dripper.start()
    began = time.monotonic()
    slow.settimeout(5)
    assert slow.recv(100) == b""  # cut off at the deadline, not answered
    dripping.settimeout(5)
    while dripping.recv(100):
        pass
    stop.set()
    assert time.monotonic() - began < 4.0  # the deadline (1.5 s) with the reaper's tick
    slow.close()
    dripping.close()


def test_a_provider_failure_is_one_sentence_and_a_503(home):
    def failing() -> Credentials:
        raise RoleswitchError("admin needs a new MFA code; run `roleswitch assume admin`.")

    served = CredentialServer(failing).start()
    try:
        status, body = get(served)
    finally:
        served.stop()
    assert status == 503
    assert body.strip() == "admin needs a new MFA code; run `roleswitch assume admin`."


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.1", "::", "example.com", "", "192.168.1.1"])
def test_a_non_loopback_host_is_refused(host):
    with pytest.raises(RoleswitchError, match="not a loopback address"):
        CredentialServer(credentials, host=host)


@pytest.mark.parametrize(("host", "bound"), [("localhost", "127.0.0.1"), ("127.0.0.2", "127.0.0.2")])
def test_loopback_hosts_are_accepted(host, bound):
    assert loopback_host(host) == bound


def test_a_busy_port_is_one_sentence(server):
    with pytest.raises(RoleswitchError, match=f"port {server.port}"):
        CredentialServer(credentials, port=server.port)


def test_the_token_is_not_in_the_repr(server):
    assert server.token not in repr(server)
    assert len(server.token) >= 40
