"""An HTTP server on loopback that answers the container credentials protocol.

SDKs send `GET <AWS_CONTAINER_CREDENTIALS_FULL_URI>` with the value of
`AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header and expect
`{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`. Anything else is
refused before a credential is looked at: no or a wrong token (401, 403), another
path (404), another method (405), a body or a request larger than `MAX_REQUEST`
bytes (413), a `Host` that is not loopback (400, against DNS rebinding). Every
connection has a thread of its own, a socket timeout and an overall deadline
enforced by one reaper thread, so a slow or silent client holds only its own
thread, and only for seconds; beyond `MAX_CONNECTIONS` new ones are closed at once.
Nothing secret is logged: the token never leaves `hmac.compare_digest`.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from roleswitch.core.clock import format_expiration
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import Credentials

PATH = "/roleswitch/credentials"


class RequestTooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on one connection; tests shorten the deadline."""

    max_request: int = 8192  # request line and headers together
    read_timeout: float = 5.0  # one silent read
    deadline: float = 10.0  # the whole connection, however it drips
    max_connections: int = 128


def loopback_host(host: str) -> str:
    """The address to bind for `host`, if it is a loopback address; else one sentence."""
    name = host.strip().strip("[]")
    if name.lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise RoleswitchError(
            f"'{host}' is not a loopback address; the credential server only listens on "
            "127.0.0.1 (or another 127.x.x.x address, or ::1), so nothing off this machine can reach it."
        )
    return str(address)


class _BoundedReader:
    """The request's bytes, at most `budget` of them: a larger request is refused, not read."""

    def __init__(self, raw, budget: int) -> None:
        self._raw = raw
        self._budget = budget

    def readline(self, size: int = -1) -> bytes:
        want = self._budget + 1 if size is None or size < 0 else min(size, self._budget + 1)
        line = self._raw.readline(want)
        self._budget -= len(line)
        if self._budget < 0:
            raise RequestTooLarge
        return line

    def read(self, size: int = -1) -> bytes:
        raise RequestTooLarge  # a credentials request has no body

    def close(self) -> None:
        self._raw.close()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "roleswitch"
    sys_version = ""

    def setup(self) -> None:
        # StreamRequestHandler.setup reads this per instance to time out the connection
        self.timeout = self.server.limits.read_timeout  # type: ignore[misc]
        super().setup()
        self.rfile = _BoundedReader(self.rfile, self.server.limits.max_request)  # type: ignore[assignment]

    def handle_one_request(self) -> None:
        """BaseHTTPRequestHandler's, with the size bound and no keep-alive."""
        self.close_connection = True
        try:
            self.raw_requestline = self.rfile.readline(self.server.limits.max_request)
            if not self.raw_requestline or not self.parse_request():
                return
            method = getattr(self, f"do_{self.command}", None)
            if method is None:
                self._answer(405, "Only GET is answered here.", allow=True)
                return
            method()
            self.wfile.flush()
        except RequestTooLarge:
            self._answer(413, "The request is too large.")
        except (TimeoutError, OSError):
            pass  # the client was too slow, or went away: nobody to answer

    def do_GET(self) -> None:
        server = self.server
        length = (self.headers.get("Content-Length") or "0").strip()
        if length != "0" or self.headers.get("Transfer-Encoding"):
            self._refuse(413, "A credentials request has no body.")
            return
        if not _loopback_host_header(self.headers.get("Host")):
            self._refuse(400, "The Host header must name this machine's loopback address.")
            return
        given = self.headers.get("Authorization")
        if not given:
            self._refuse(
                401, "Send the value of AWS_CONTAINER_AUTHORIZATION_TOKEN as the Authorization header."
            )
            return
        if not hmac.compare_digest(given.encode("utf-8", "replace"), server.token_bytes):
            self._refuse(403, "The authorization token is not this server's.")
            return
        if self.path != PATH:
            self._refuse(404, f"Nothing is served here; the credentials are at {PATH}.")
            return
        try:
            credentials = server.provide()
        except RoleswitchError as error:
            self._refuse(503, str(error))
            return
        body = json.dumps(
            {
                "AccessKeyId": credentials.access_key_id,
                "SecretAccessKey": credentials.secret_access_key,
                "Token": credentials.session_token,
                "Expiration": format_expiration(credentials.expiration),
            }
        ).encode()
        server.count(answered=True)  # before the bytes go out, so a client that has them sees the count
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer(405, "Only GET is answered here.", allow=True)

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD

    def _refuse(self, status: int, sentence: str) -> None:
        self.server.count(answered=False)  # counted first: see do_GET
        self._answer(status, sentence)

    def _answer(self, status: int, sentence: str, *, allow: bool = False) -> None:
        body = (sentence + "\n").encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if allow:
                self.send_header("Allow", "GET")
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except OSError:
            pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._answer(code, message or "Bad request.")  # plain, no HTML page

    def log_message(self, format: str, *args: object) -> None:
        pass  # requests are counted, never logged: a path or header is the client's to choose


def _loopback_host_header(value: str | None) -> bool:
    if not value:
        return True  # HTTP/1.0 clients may omit it
    host = value.strip()
    if host.startswith("["):
        host = host[1 : host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False  # a port someone else holds is reported, not shared
    request_queue_size = 64

    def __init__(self, address, limits: Limits, provide, token: str) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.limits = limits
        self.provide = provide
        self.token_bytes = token.encode()
        self.answered = 0
        self.refused = 0
        self._counts = threading.Lock()
        self._open: dict[socket.socket, float] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request, client_address) -> None:
        pass  # never a traceback on the terminal the command shares; the client just loses its answer

    def count(self, *, answered: bool) -> None:
        with self._counts:
            if answered:
                self.answered += 1
            else:
                self.refused += 1

    def process_request(self, request, client_address) -> None:
        with self._open_lock:
            full = len(self._open) >= self.limits.max_connections
            if not full:
                self._open[request] = time.monotonic() + self.limits.deadline
        if full:
            self.shutdown_request(request)  # too many at once: closed, never queued
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.pop(request, None)

    def reap(self) -> None:
        """Cut connections past their deadline (a client dripping one byte at a time never
        trips the read timeout)."""
        now = time.monotonic()
        with self._open_lock:
            late = [connection for connection, deadline in self._open.items() if deadline < now]
        for connection in late:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class CredentialServer:
    """Serves `provide()` on `host:port` (0: any free port) to callers holding `token`."""

    def __init__(
        self,
        provide: Callable[[], Credentials],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.token = token or secrets.token_urlsafe(32)
        self.limits = limits or Limits()
        bind = loopback_host(host)
        try:
            self._server = _Server((bind, port), self.limits, provide, self.token)
        except OSError as error:
            raise RoleswitchError(
                f"Cannot listen on {bind} port {port} ({error.strerror or error}); pick another with "
                "--port, or leave it out for any free port."
            ) from None
        self.host = bind
        self.port = self._server.server_address[1]
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def __repr__(self) -> str:
        return f"CredentialServer({self.url!r}, token='***')"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{PATH}"

    @property
    def answered(self) -> int:
        return self._server.answered

    @property
    def refused(self) -> int:
        return self._server.refused

    def environment(self) -> dict[str, str]:
        """The two variables a client needs."""
        return {
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": self.url,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": self.token,
        }

    def start(self) -> CredentialServer:
        serve = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="roleswitch-serve",
            daemon=True,
        )
        reaper = threading.Thread(target=self._reap, name="roleswitch-serve-reaper", daemon=True)
        self._threads = [serve, reaper]
        for thread in self._threads:
            thread.start()
        return self

    def _reap(self) -> None:
        tick = min(0.5, self.limits.deadline / 4)
        while not self._stopped.wait(tick):
            self._server.reap()

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        if self._threads:
            self._server.shutdown()
        self._server.server_close()
