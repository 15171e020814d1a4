"""A local AWS federation endpoint and a tiny "console" page, on 127.0.0.1.

It answers what signin.aws.amazon.com/federation answers:

- `GET /federation?Action=getSigninToken&Session=JSON[&SessionDuration=N]`: 200 with
  `{"SigninToken": ...}`, or 400 when the Session is not exactly a temporary session's
  three values, when SessionDuration is outside 900..43200, or when neither the optional
  `verify` callable (another local issuer of credentials, such as the demo's IAM Identity
  Center) nor STS knows the session (checked with GetCallerIdentity against
  `sts_endpoint`, moto in the demo and the tests; that also says who is signing in).
- `GET /federation?Action=login&Issuer=..&Destination=..&SigninToken=..`: a redirect to
  `/console/ID`, a page naming the role, the account and where AWS would have landed,
  for 15 minutes; a 400 page for an unknown or expired token.

Nothing secret is logged or shown: the request line carries the secret key, so the
access log is off, and the page shows a masked key id. Run it alone with
`python -m roleswitch.local.federation --sts-endpoint URL`.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN_LIFETIME = 15 * 60
TEMPORARY_KEY_RE = re.compile(r"^ASIA[A-Z0-9]{12,124}$", re.ASCII)
SECRET_RE = re.compile(r"^[A-Za-z0-9+/=_-]{1,1024}$", re.ASCII)
SESSION_TOKEN_RE = re.compile(r"^[A-Za-z0-9+/=_-]{1,16384}$", re.ASCII)
SESSION_KEYS = {"sessionId", "sessionKey", "sessionToken"}
# moto answers every GetFederationToken with this fixed example key and forgets it at once
# (GetCallerIdentity then names a default user). Real AWS issues ASIA keys; here this one is
# taken as the federated user it stands for, so the GetFederationToken path can be tried.
MOTO_FEDERATION_KEY = "AKIAIOSFODNN7EXAMPLE"
MAX_TOKENS = 1000  # remembered sign-ins; the oldest go first

# (key id, secret, session token) -> (identity ARN, account id), or None when unknown or expired
Verifier = Callable[[str, str, str], "tuple[str, str] | None"]


@dataclass
class SignIn:
    identity: str  # the assumed-role or federated-user ARN, or "unknown"
    account: str
    key_id: str
    duration: int | None
    issued: float
    destination: str = ""
    issuer: str = ""


class FederationStandIn:
    """The server; `endpoint` is what ROLESWITCH_FEDERATION_ENDPOINT should be set to.

    `verify`, when given, is asked first about each session (credentials STS does not know,
    such as a local Identity Center's role credentials); a None answer falls back to STS.
    """

    def __init__(
        self,
        sts_endpoint: str | None = None,
        *,
        port: int = 0,
        clock=time.monotonic,
        verify: Verifier | None = None,
    ) -> None:
        self.sts_endpoint = sts_endpoint
        self.verify = verify
        self.clock = clock
        self.tokens: dict[str, SignIn] = {}
        self.pages: dict[str, SignIn] = {}
        self.requests: list[dict[str, str]] = []  # parsed queries, for tests: they hold secrets
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"FederationStandIn({self.endpoint!r})"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/federation"

    def start(self) -> FederationStandIn:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="federation-stand-in",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FederationStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- the two actions --------------------------------------------------------------------

    def get_signin_token(self, query: dict[str, str]) -> tuple[int, str, str]:
        duration = query.get("SessionDuration")
        seconds = None
        if duration is not None:
            if not duration.isascii() or not duration.isdigit() or not 900 <= int(duration) <= 43200:
                return _bad("SessionDuration must be between 900 and 43200 seconds.")
            seconds = int(duration)
        try:
            session = json.loads(query.get("Session", ""))
        except ValueError:
            return _bad("Session is not JSON.")
        if not isinstance(session, dict) or set(session) != SESSION_KEYS:
            return _bad("Session must hold exactly sessionId, sessionKey and sessionToken.")
        key_id, secret, token = session["sessionId"], session["sessionKey"], session["sessionToken"]
        if not all(isinstance(v, str) for v in (key_id, secret, token)):
            return _bad("Session values must be strings.")
        temporary = TEMPORARY_KEY_RE.match(key_id) or (key_id == MOTO_FEDERATION_KEY and self.sts_endpoint)
        if not temporary or not SECRET_RE.match(secret) or not SESSION_TOKEN_RE.match(token):
            return _bad("Session is not a temporary session (its key id must start with ASIA).")
        identity, account = self._who(key_id, secret, token)
        if identity is None:
            return _bad("The session's credentials are not valid or have expired.")
        signin_token = secrets.token_urlsafe(48)
        with self._lock:
            self._forget_oldest(self.tokens)
            self.tokens[signin_token] = SignIn(identity, account, key_id, seconds, self.clock())
        return 200, "application/json", json.dumps({"SigninToken": signin_token})

    def login(self, query: dict[str, str]) -> tuple[int, str, str] | str:
        """The redirect target (a str), or an error page."""
        with self._lock:
            sign_in = self.tokens.get(query.get("SigninToken", ""))
        if sign_in is None or self.clock() - sign_in.issued > TOKEN_LIFETIME:
            return (
                400,
                "text/html; charset=utf-8",
                _page("Sign-in failed", "<p>This sign-in link is not valid or has expired.</p>"),
            )
        page = secrets.token_urlsafe(16)
        with self._lock:
            self._forget_oldest(self.pages)
            self.pages[page] = SignIn(
                sign_in.identity,
                sign_in.account,
                sign_in.key_id,
                sign_in.duration,
                sign_in.issued,
                destination=query.get("Destination", ""),
                issuer=query.get("Issuer", ""),
            )
        return f"/console/{page}"

    def console_page(self, page: str) -> tuple[int, str, str]:
        with self._lock:
            sign_in = self.pages.get(page)
        if sign_in is None:
            return 404, "text/html; charset=utf-8", _page("Not found", "<p>No such console session.</p>")
        key = sign_in.key_id
        rows = [
            ("Signed in as", sign_in.identity),
            ("Account", sign_in.account),
            ("Access key", f"{key[:4]}…{key[-4:]}"),
            ("Console session", f"{sign_in.duration}s" if sign_in.duration else "AWS's default"),
            ("AWS would open", sign_in.destination),
            ("Issuer", sign_in.issuer),
        ]
        body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
        return (
            200,
            "text/html; charset=utf-8",
            _page(
                "AWS console (local stand-in)",
                "<p>roleswitch's demo console: a real sign-in would land on the AWS console now.</p>"
                f"<table>{body}</table>",
            ),
        )

    def _who(self, key_id: str, secret: str, token: str) -> tuple[str | None, str]:
        """Ask `verify`, then STS, who these credentials are; (None, "") when both refuse them."""
        if self.verify is not None:
            known = self.verify(key_id, secret, token)
            if known is not None:
                return known
        if self.sts_endpoint is None:
            return "unknown (no STS endpoint to check with)", "unknown"
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "sts",
            endpoint_url=self.sts_endpoint,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(connect_timeout=2, read_timeout=3, retries={"total_max_attempts": 1}),
        )
        try:
            answer = client.get_caller_identity()
        except Exception:
            return None, ""
        arn = answer.get("Arn", "")
        if key_id == MOTO_FEDERATION_KEY:
            return "a federated user (moto's fixed GetFederationToken answer)", answer.get("Account", "")
        if ":assumed-role/" not in arn and ":federated-user/" not in arn:
            return None, ""  # moto names keys it never issued user/moto
        return arn, answer.get("Account", "")

    @staticmethod
    def _forget_oldest(table: dict) -> None:
        while len(table) >= MAX_TOKENS:
            table.pop(next(iter(table)))


def _bad(reason: str) -> tuple[int, str, str]:
    return 400, "application/json", json.dumps({"Error": {"Code": "BadRequest", "Message": reason}})


def _page(title: str, content: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{content}</body></html>"
    )


def _handler_for(server: FederationStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "federation-stand-in"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the request line carries the secret key: never logged

        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            if parts.path.startswith("/console/"):
                self._answer(*server.console_page(parts.path.removeprefix("/console/")))
                return
            if parts.path != "/federation":
                self._answer(404, "text/plain", "not found")
                return
            query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
            with server._lock:
                server.requests.append(query)
            action = query.get("Action")
            if action == "getSigninToken":
                self._answer(*server.get_signin_token(query))
            elif action == "login":
                outcome = server.login(query)
                if isinstance(outcome, str):
                    self.send_response(302)
                    self.send_header("Location", outcome)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                else:
                    self._answer(*outcome)
            else:
                self._answer(*_bad("Action must be getSigninToken or login."))

        def _answer(self, status: int, content_type: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        description="A local AWS federation endpoint for trying roleswitch console."
    )
    parser.add_argument("--sts-endpoint", help="STS to check sessions with (moto's server)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    server = FederationStandIn(args.sts_endpoint, port=args.port).start()
    print(f"export ROLESWITCH_FEDERATION_ENDPOINT={server.endpoint}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
