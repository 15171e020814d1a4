"""Hostile STS endpoints on 127.0.0.1 for the reliability tests.

`CraftedSts` answers every call with an AssumeRole/GetSessionToken answer built
from whatever values the test gives (newlines, empty keys, a past expiration...).
`DrippingSts` accepts a request, then sends one byte every `interval` seconds,
in the headers or in the body, until the test closes it: a read timeout that
counts per socket read never trips on it.
"""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

GOOD = {
    "AccessKeyId": "ASIAHOSTILETEST00001",
    "SecretAccessKey": "hostileSecretValue0123456789abcdefghijklm",
    "SessionToken": "FQoGZXIvYXdzEBYaDhostileToken0123456789+/abcdefghijklmnop==",
    "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/alice",
}


def expires_in(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def answer_xml(action: str, values: dict[str, str | None], *, credentials: bool = True) -> bytes:
    """An STS answer; a value of None leaves its element out, text is XML-escaped as given."""
    values = {"Expiration": expires_in(timedelta(hours=1)), **GOOD, **values}

    def element(name: str) -> str:
        value = values.get(name)
        return "" if value is None else f"<{name}>{escape(value)}</{name}>"

    creds = ""
    if credentials:
        creds = "<Credentials>" + "".join(
            element(n) for n in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration")
        )
        creds += "</Credentials>"
    user = ""
    if action == "AssumeRole":
        user = f"<AssumedRoleUser><AssumedRoleId>AROAHOSTILE:alice</AssumedRoleId>{element('Arn')}</AssumedRoleUser>"
    return (
        f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<{action}Result>{creds}{user}</{action}Result>"
        f"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></{action}Response>"
    ).encode()


class CraftedSts:
    """Answers each STS action with `answer_xml(action, values)`; counts the calls."""

    def __init__(self, values: dict[str, str | None], *, credentials: bool = True) -> None:
        self.calls: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                action = "GetSessionToken" if "Action=GetSessionToken" in body else "AssumeRole"
                server.calls.append(action)
                reply = answer_xml(action, values, credentials=credentials)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # Polling every 50 ms, not the default 500 ms: shutdown() waits for the next poll.
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class DrippingSts:
    """Reads a request, then drips one byte every `interval` s in the `where` part."""

    def __init__(self, where: str, interval: float = 2.0) -> None:
        assert where in ("headers", "body")
        self.where = where
        self.interval = interval
        self.stop = threading.Event()
        self.connections = 0
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                if self.where == "body":
                    conn.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n"
                    )
                    payload = b"<AssumeRoleResponse>" + b" " * 100000
                else:
                    payload = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nX-Drip: " + b"a" * 100000
                for byte in payload:
                    if self.stop.wait(self.interval):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
