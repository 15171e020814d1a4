"""The network says no: each failure is bounded in time, explained, and writes nothing.

Bound: with the default timeouts (connect 3 s, read 5 s, 2 attempts) a call fails
within 2 x (3 + 5) s plus under 2 s of backoff = 18 s at worst; the tests use tighter
timeouts where waiting is the point, and assert the bound they use.
"""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from roleswitch.core.errors import AssumeError
from roleswitch.core.sts import StsClient, Timeouts
from tests.factories import make_target
from tests.ui.helpers import notes, settle

TARGET = make_target(
    name="admin",
    origin="aws-config",
    role_arn="arn:aws:iam::123456789012:role/Admin",
    account_id="123456789012",
)
CREDS = "[corp]\naws_access_key_id = AKIAFAKEFAKE00000001\naws_secret_access_key = s\n"


class Server:
    """A loopback HTTP server answering every request with `body` and `status`."""

    def __init__(self, status: int, body: bytes) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.end_headers()
                self.wfile.write(body)
                self.server.hits += 1

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.hits = 0
        # Polling every 50 ms, not the default 500 ms: shutdown() waits for the next poll.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def assume_fails(home, monkeypatch, url: str, timeouts: Timeouts | None = None) -> tuple[AssumeError, float]:
    home.write(credentials=CREDS)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", url)
    start = time.monotonic()
    with pytest.raises(AssumeError) as info:
        StsClient(timeouts or Timeouts(connect=1, read=1, attempts=2)).assume(TARGET)
    assert home.credentials.read_text() == CREDS
    return info.value, time.monotonic() - start


def test_garbage_answer(home, monkeypatch):
    server = Server(200, b"\x00\xffthis is not xml at all")
    try:
        error, took = assume_fails(home, monkeypatch, server.url)
    finally:
        server.close()
    assert "not an STS response" in str(error) and took < 5


def test_throttling_is_retried_then_explained(home, monkeypatch):
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
        b"<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
    )
    server = Server(400, body)
    try:
        error, took = assume_fails(home, monkeypatch, server.url)
        hits = server.httpd.hits
    finally:
        server.close()
    assert error.code == "throttled" and "wait a few seconds" in str(error)
    assert hits == 2 and took < 5  # retried once (2 attempts), bounded


def test_refused_connection_within_bound(home, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    error, took = assume_fails(home, monkeypatch, f"http://127.0.0.1:{port}", Timeouts())
    assert error.code == "no-connection" and took < 18


def test_silent_endpoint_within_bound(home, monkeypatch):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        error, took = assume_fails(home, monkeypatch, url, Timeouts(connect=0.25, read=0.25, attempts=2))
    finally:
        listener.close()
    assert "did not answer in time" in str(error) and took < 2 * (0.25 + 0.25) + 3


async def test_sts_server_killed_mid_session(home, monkeypatch):
    """The app keeps running and writes nothing when its STS server dies under it."""
    from moto.server import ThreadedMotoServer

    from roleswitch.ui.app import RoleswitchApp
    from roleswitch.ui.launch import real_services

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    from tests.conftest import Moto

    Moto(f"http://{host}:{port}").reset()  # no auth enforcement left over from another test
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://{host}:{port}")
    home.write(
        config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials=CREDS,
    )
    services = real_services()
    services.sts = StsClient(Timeouts(connect=1, read=1, attempts=2), mfa_sessions=services.mfa_sessions)
    app = RoleswitchApp(services)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"admin", "enter")
        await settle(app, pilot)
        assert app.session is not None
        written = home.credentials.read_text()
        server.stop()
        start = time.monotonic()
        await pilot.press("ctrl+r")
        while app.busy is not None and time.monotonic() - start < 15:
            await pilot.pause(0.1)
        await settle(app, pilot)
        assert time.monotonic() - start < 10
        assert any("Could not connect to STS" in n for n in notes(app)), notes(app)
        assert app.is_running and app.session is not None
        assert home.credentials.read_text() == written
