"""A local IAM Identity Center: the SSO portal and its OIDC service, on 127.0.0.1.

moto has neither, so the demo and the tests need a stand-in that speaks the real wire
protocol (botocore's `sso` and `sso-oidc` service models): the same paths, query and
header names, JSON members and `x-amzn-ErrorType` errors. botocore's clients, its SSO
credential provider and the AWS CLI then work against it unchanged, through
`AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC` (both are this server's `url`).

OIDC (device authorization, RFC 8628):
  POST /client/register, POST /device_authorization, POST /token
  (device_code grant: AuthorizationPending until approved, SlowDown when polled faster
  than the interval, AccessDenied when denied, ExpiredToken after expiresIn;
  refresh_token grant: new tokens, the old refresh token retired, InvalidGrant otherwise).
Portal (bearer token in `x-amz-sso_bearer_token`):
  GET /assignment/accounts, GET /assignment/roles, GET /federation/credentials, POST /logout
  (UnauthorizedException for a missing, expired or revoked token; TooManyRequestsException
  when throttling is on).
Role credentials it issued are remembered (the newest `MAX_ISSUED`): `issued_role(key id,
secret, session token)` names their account and role until they expire, so a local stand-in
for another service (the demo's console sign-in) can accept them as AWS would.
Approval page: GET /device?user_code=... (the verificationUriComplete) with Approve and
Deny buttons, so a person can approve in a browser; tests call `approve(user_code)`.

Nothing secret is logged: the access log is off, the page shows only the user code, and
`repr` shows the URL. Run it alone with `python -m roleswitch.local.identity_center`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
SLOW_DOWN_INCREMENT = 5  # RFC 8628 3.5: a client told to slow down adds 5 s to its interval
MAX_PAGE_SIZE = 100
REGISTRATION_LIFETIME = 90 * 24 * 3600  # what AWS gives a public client
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels: no words, no 0/O confusion
KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # AWS key ids are base32 after the prefix
MAX_ISSUED = 1000  # role credentials remembered for `issued_role`; the oldest go first

OPERATIONS = (
    "RegisterClient",
    "StartDeviceAuthorization",
    "CreateToken",
    "ListAccounts",
    "ListAccountRoles",
    "GetRoleCredentials",
    "Logout",
)
_PORTAL = frozenset({"ListAccounts", "ListAccountRoles", "GetRoleCredentials", "Logout"})


@dataclass(frozen=True)
class Account:
    """An AWS account the signed-in person is assigned to, with the roles (permission sets) in it."""

    id: str
    name: str
    roles: tuple[str, ...]
    email: str = ""

    def __post_init__(self) -> None:
        if not self.email:
            object.__setattr__(self, "email", f"aws+{self.id}@example.com")


def sample_organisation() -> list[Account]:
    """A small organisation for the demo: a few accounts, several roles each."""
    return [
        Account("111111111111", "Production", ("AdministratorAccess", "ReadOnlyAccess", "Deploy")),
        Account("222222222222", "Staging", ("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess")),
        Account("333333333333", "Development", ("AdministratorAccess", "PowerUserAccess")),
        Account("444444444444", "Security", ("SecurityAudit", "ReadOnlyAccess")),
        Account("555555555555", "Sandbox", ("AdministratorAccess",)),
    ]


def generated_organisation(accounts: int, roles: int, *, first_id: int = 100000000000) -> list[Account]:
    """`accounts` accounts named acct-0000.. with `roles` roles each: for scale tests and benchmarks."""
    role_names = tuple(f"Role{r:02d}" for r in range(roles))
    return [Account(f"{first_id + n:012d}", f"acct-{n:04d}", role_names) for n in range(accounts)]


class ServiceError(Exception):
    """One modeled error: its shape name goes in x-amzn-ErrorType, its fields in the JSON body."""

    def __init__(self, status: int, code: str, body: dict) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.body = body


def _oidc_error(status: int, code: str, oauth_error: str, description: str) -> ServiceError:
    return ServiceError(status, code, {"error": oauth_error, "error_description": description})


def _portal_error(status: int, code: str, message: str) -> ServiceError:
    return ServiceError(status, code, {"message": message})


def _unauthorized() -> ServiceError:
    return _portal_error(401, "UnauthorizedException", "Session token not found or invalid")


@dataclass
class _Client:
    secret: str
    issued_at: int
    secret_expires_at: int
    can_refresh: bool


@dataclass
class _DeviceAuthorization:
    client_id: str
    user_code: str
    expires_at: float
    interval: int
    state: str = "pending"  # pending, approved, denied, used
    last_poll: float | None = None


@dataclass
class _Token:
    client_id: str
    expires_at: float
    refresh_token: str | None
    revoked: bool = False


@dataclass(frozen=True)
class IssuedRole:
    """Whose role credentials these are: what `issued_role` answers (nothing secret)."""

    account_id: str
    role_name: str
    expires_at: float  # epoch seconds, on the server's clock


@dataclass(frozen=True)
class _Issued:
    role: IssuedRole
    secret: str = field(repr=False)
    session_token: str = field(repr=False)


@dataclass
class _Throttle:
    every: int | None = None  # every Nth portal call is refused
    per_second: float | None = None  # more than this many portal calls in one second are refused
    seen: int = 0
    recent: list[float] = field(default_factory=list)


def _random_text(n: int) -> str:
    """n characters of base64 alphabet: shaped like AWS secrets and tokens."""
    return base64.b64encode(secrets.token_bytes(n)).decode()[:n]


def _key_id() -> str:
    return "ASIA" + "".join(secrets.choice(KEY_ID_ALPHABET) for _ in range(16))


def _user_code() -> str:
    letters = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


class IdentityCenter:
    """The server and its knobs. Thread-safe; start and stop it as a context manager.

    Knobs (attributes, changeable while it runs): `latency` seconds added to every API
    call; `throttle_every` / `throttle_per_second` for TooManyRequestsException on portal
    calls; `page_size` when a caller gives no max_result (max_result is capped at 100);
    `token_lifetime`, `credential_lifetime`, `device_code_lifetime`, `interval` in
    seconds; `slow_down_increment` added to a device code's interval at each slow_down;
    `clock` (epoch seconds) so tests can move time on. `calls` counts requests per
    operation name, refused ones included.
    """

    def __init__(
        self,
        accounts: Iterable[Account] | None = None,
        *,
        port: int = 0,
        region: str = "us-east-1",
        latency: float = 0.0,
        page_size: int = 20,
        token_lifetime: int = 8 * 3600,
        credential_lifetime: int = 3600,
        device_code_lifetime: int = 600,
        interval: int = 1,
        slow_down_increment: int = SLOW_DOWN_INCREMENT,
        throttle_every: int | None = None,
        throttle_per_second: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.accounts = list(sample_organisation() if accounts is None else accounts)
        self.region = region
        self.latency = latency
        self.page_size = page_size
        self.token_lifetime = token_lifetime
        self.credential_lifetime = credential_lifetime
        self.device_code_lifetime = device_code_lifetime
        self.interval = interval
        self.slow_down_increment = slow_down_increment
        self.clock = clock
        self._throttle = _Throttle(throttle_every, throttle_per_second)
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._devices: dict[str, _DeviceAuthorization] = {}  # by device code
        self._tokens: dict[str, _Token] = {}  # by access token
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> client id
        self._issued: dict[str, _Issued] = {}  # role credentials by access key id, oldest first
        self.calls: Counter[str] = Counter()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- life cycle -----------------------------------------------------------------------

    def start(self) -> IdentityCenter:
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="identity-center", daemon=True
        )  # a short poll interval: stop() returns within 50 ms, so each test can have its own server
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> IdentityCenter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL: the value for both AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC."""
        if self._server is None:
            raise RuntimeError("the Identity Center is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def start_url(self) -> str:
        """The portal's start URL, as `sso_start_url` in an [sso-session] names it."""
        return f"{self.url}/start"

    def environment(self) -> dict[str, str]:
        """The endpoint variables that send every AWS SDK and the AWS CLI here."""
        return {"AWS_ENDPOINT_URL_SSO": self.url, "AWS_ENDPOINT_URL_SSO_OIDC": self.url}

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"IdentityCenter({where}, {len(self.accounts)} accounts)"

    # --- knobs and helpers for tests and the demo ------------------------------------------

    @property
    def throttle_every(self) -> int | None:
        return self._throttle.every

    @throttle_every.setter
    def throttle_every(self, every: int | None) -> None:
        with self._lock:
            self._throttle.every, self._throttle.seen = every, 0

    @property
    def throttle_per_second(self) -> float | None:
        return self._throttle.per_second

    @throttle_per_second.setter
    def throttle_per_second(self, rate: float | None) -> None:
        with self._lock:
            self._throttle.per_second, self._throttle.recent = rate, []

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def pending_user_codes(self) -> list[str]:
        """User codes waiting for approval, oldest first (what a person would read off the screen)."""
        with self._lock:
            return [d.user_code for d in self._devices.values() if d.state == "pending"]

    def wait_for_user_code(self, timeout: float = 10.0) -> str:
        """The first pending user code once a client has started a device authorization."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            codes = self.pending_user_codes()
            if codes:
                return codes[0]
            time.sleep(0.02)
        raise TimeoutError("no device authorization was started")

    def approve(self, user_code: str) -> None:
        """The person approves the device code: the next CreateToken poll gets tokens."""
        self._decide(user_code, "approved")

    def deny(self, user_code: str) -> None:
        """The person refuses: the next CreateToken poll gets AccessDeniedException."""
        self._decide(user_code, "denied")

    def _decide(self, user_code: str, state: str) -> None:
        with self._lock:
            device = self._find_device(user_code)
            if device is None or device.state != "pending":
                raise KeyError(f"no pending device authorization with user code {user_code}")
            device.state = state

    def _find_device(self, user_code: str) -> _DeviceAuthorization | None:
        wanted = user_code.strip().upper()
        return next((d for d in self._devices.values() if d.user_code == wanted), None)

    def issue_token(self, *, client_id: str | None = None, lifetime: int | None = None) -> tuple[str, str]:
        """An (access token, refresh token) pair without the device flow, for tests that start signed in.

        With no client id a client with refresh rights is registered for it; a caller that
        wants botocore to refresh reads it back with `client_secret(client_id)`.
        """
        with self._lock:
            if client_id is None:
                client_id = self._register_locked(can_refresh=True)[0]
            return self._issue_locked(client_id, lifetime)

    def register_client(self) -> tuple[str, str]:
        """(client id, client secret) of a new client allowed to refresh, as a login would have cached."""
        with self._lock:
            return self._register_locked(can_refresh=True)

    def client_secret(self, client_id: str) -> str:
        with self._lock:
            return self._clients[client_id].secret

    def expire_token(self, access_token: str) -> None:
        """The access token's lifetime is over: the portal answers UnauthorizedException."""
        with self._lock:
            self._tokens[access_token].expires_at = self.clock() - 1

    def revoke_token(self, access_token: str) -> None:
        """An administrator ended the session: the access token and its refresh token stop working."""
        with self._lock:
            token = self._tokens[access_token]
            token.revoked = True
            if token.refresh_token:
                self._refresh_tokens.pop(token.refresh_token, None)

    def revoke_refresh_token(self, refresh_token: str) -> None:
        with self._lock:
            self._refresh_tokens.pop(refresh_token, None)

    def issued_role(self, key_id: str, secret: str, session_token: str) -> IssuedRole | None:
        """The account and role of role credentials this server handed out, while they are
        valid; None for credentials it never issued, any part that does not match, or
        expired ones."""
        with self._lock:
            issued = self._issued.get(key_id)
            if issued is None or issued.role.expires_at <= self.clock():
                return None
        same_secret = secrets.compare_digest(issued.secret.encode(), secret.encode())
        same_token = secrets.compare_digest(issued.session_token.encode(), session_token.encode())
        return issued.role if same_secret and same_token else None

    def token_is_valid(self, access_token: str) -> bool:
        with self._lock:
            token = self._tokens.get(access_token)
            return token is not None and not token.revoked and token.expires_at > self.clock()

    # --- the operations (called by the handler with the parsed request) --------------------

    def _register_locked(self, *, can_refresh: bool) -> tuple[str, str]:
        now = int(self.clock())
        client_id = _random_text(22).replace("/", "_").replace("+", "-")
        secret = _random_text(64)
        self._clients[client_id] = _Client(secret, now, now + REGISTRATION_LIFETIME, can_refresh)
        return client_id, secret

    def _issue_locked(self, client_id: str, lifetime: int | None = None) -> tuple[str, str]:
        access = "aoa" + _random_text(120)
        refresh = "aor" + _random_text(120)
        can_refresh = self._clients[client_id].can_refresh
        self._tokens[access] = _Token(
            client_id, self.clock() + (lifetime or self.token_lifetime), refresh if can_refresh else None
        )
        if can_refresh:
            self._refresh_tokens[refresh] = client_id
        return access, refresh

    def _check_client(self, body: dict) -> _Client:
        client = self._clients.get(str(body.get("clientId", "")))
        if client is None or not secrets.compare_digest(client.secret, str(body.get("clientSecret", ""))):
            raise _oidc_error(401, "InvalidClientException", "invalid_client", "Invalid client")
        if client.secret_expires_at <= self.clock():
            raise _oidc_error(401, "InvalidClientException", "invalid_client", "Client registration expired")
        return client

    def register_client_op(self, body: dict) -> dict:
        if not body.get("clientName") or body.get("clientType") != "public":
            raise _oidc_error(400, "InvalidRequestException", "invalid_request", "clientType must be public")
        grant_types = body.get("grantTypes") or []
        # As AWS: refresh tokens only for clients registered with scopes (sso-session form)
        # or the refresh_token grant; the legacy per-profile form gets none.
        can_refresh = bool(body.get("scopes")) or REFRESH_GRANT in grant_types
        with self._lock:
            client_id, secret = self._register_locked(can_refresh=can_refresh)
            client = self._clients[client_id]
        return {
            "clientId": client_id,
            "clientSecret": secret,
            "clientIdIssuedAt": client.issued_at,
            "clientSecretExpiresAt": client.secret_expires_at,
        }

    def start_device_authorization_op(self, body: dict) -> dict:
        if not body.get("startUrl"):
            raise _oidc_error(400, "InvalidRequestException", "invalid_request", "startUrl is required")
        device_code = _random_text(86).replace("/", "_").replace("+", "-")
        with self._lock:
            client_id = str(body.get("clientId", ""))
            self._check_client(body)
            user_code = _user_code()
            self._devices[device_code] = _DeviceAuthorization(
                client_id, user_code, self.clock() + self.device_code_lifetime, self.interval
            )
        verification_uri = f"{self.url}/device"
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": verification_uri,
            "verificationUriComplete": f"{verification_uri}?user_code={user_code}",
            "expiresIn": self.device_code_lifetime,
            "interval": self.interval,
        }

    def create_token_op(self, body: dict) -> dict:
        grant = body.get("grantType")
        with self._lock:
            client = self._check_client(body)
            client_id = str(body["clientId"])
            if grant == DEVICE_GRANT:
                access, refresh = self._device_grant_locked(client_id, str(body.get("deviceCode", "")))
            elif grant == REFRESH_GRANT:
                access, refresh = self._refresh_grant_locked(client_id, str(body.get("refreshToken", "")))
            else:
                raise _oidc_error(
                    400, "UnsupportedGrantTypeException", "unsupported_grant_type", "Unsupported grant type"
                )
        answer = {"accessToken": access, "tokenType": "Bearer", "expiresIn": self.token_lifetime}
        if client.can_refresh:
            answer["refreshToken"] = refresh
        return answer

    def _device_grant_locked(self, client_id: str, device_code: str) -> tuple[str, str]:
        device = self._devices.get(device_code)
        if device is None or device.client_id != client_id or device.state == "used":
            raise _oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid device code provided")
        now = self.clock()
        if now >= device.expires_at:
            raise _oidc_error(400, "ExpiredTokenException", "expired_token", "Device code has expired")
        if device.state == "denied":
            raise _oidc_error(400, "AccessDeniedException", "access_denied", "The user denied the request")
        too_soon = device.last_poll is not None and now - device.last_poll < device.interval
        device.last_poll = now
        if too_soon:
            device.interval += self.slow_down_increment
            raise _oidc_error(400, "SlowDownException", "slow_down", "Client is polling too quickly")
        if device.state == "pending":
            pending = "Authorization is still pending"
            raise _oidc_error(400, "AuthorizationPendingException", "authorization_pending", pending)
        device.state = "used"
        return self._issue_locked(client_id)

    def _refresh_grant_locked(self, client_id: str, refresh_token: str) -> tuple[str, str]:
        if self._refresh_tokens.get(refresh_token) != client_id:
            raise _oidc_error(400, "InvalidGrantException", "invalid_grant", "Invalid refresh token provided")
        del self._refresh_tokens[refresh_token]  # rotated: each refresh token works once
        return self._issue_locked(client_id)

    def _check_bearer(self, access_token: str | None) -> None:
        token = self._tokens.get(access_token or "")
        if token is None or token.revoked or token.expires_at <= self.clock():
            raise _unauthorized()

    def _throttled_locked(self) -> bool:
        throttle = self._throttle
        throttle.seen += 1
        if throttle.every and throttle.seen % throttle.every == 0:
            return True
        if throttle.per_second:
            now = time.monotonic()
            throttle.recent = [t for t in throttle.recent if now - t < 1.0]
            if len(throttle.recent) >= throttle.per_second:
                return True
            throttle.recent.append(now)
        return False

    def _page(self, items: list, query: dict[str, str]) -> tuple[list, str | None]:
        try:
            size = int(query.get("max_result") or self.page_size)
            token = query.get("next_token")
            start = int(base64.urlsafe_b64decode(token).decode()) if token is not None else 0
        except (ValueError, UnicodeDecodeError):
            raise _portal_error(400, "InvalidRequestException", "Invalid pagination parameters") from None
        if size < 1 or start < 0 or start > len(items):
            raise _portal_error(400, "InvalidRequestException", "Invalid pagination parameters")
        end = start + min(size, MAX_PAGE_SIZE)
        next_token = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
        return items[start:end], next_token

    def _account(self, account_id: str | None) -> Account:
        account = next((a for a in self.accounts if a.id == account_id), None)
        if account is None:
            raise _portal_error(404, "ResourceNotFoundException", "No access")
        return account

    def list_accounts_op(self, query: dict[str, str]) -> dict:
        page, next_token = self._page(self.accounts, query)
        answer: dict = {
            "accountList": [{"accountId": a.id, "accountName": a.name, "emailAddress": a.email} for a in page]
        }
        if next_token:
            answer["nextToken"] = next_token
        return answer

    def list_account_roles_op(self, query: dict[str, str]) -> dict:
        account = self._account(query.get("account_id"))
        page, next_token = self._page(list(account.roles), query)
        answer: dict = {"roleList": [{"roleName": r, "accountId": account.id} for r in page]}
        if next_token:
            answer["nextToken"] = next_token
        return answer

    def get_role_credentials_op(self, query: dict[str, str]) -> dict:
        account = self._account(query.get("account_id"))
        if query.get("role_name") not in account.roles:
            raise _portal_error(404, "ResourceNotFoundException", "No access")
        expiration = int((self.clock() + self.credential_lifetime) * 1000)  # epoch milliseconds
        key_id, secret, session_token = _key_id(), _random_text(40), _random_text(356)
        role = IssuedRole(account.id, str(query["role_name"]), expiration / 1000)
        with self._lock:
            while len(self._issued) >= MAX_ISSUED:
                self._issued.pop(next(iter(self._issued)))
            self._issued[key_id] = _Issued(role, secret, session_token)
        return {
            "roleCredentials": {
                "accessKeyId": key_id,
                "secretAccessKey": secret,
                "sessionToken": session_token,
                "expiration": expiration,
            }
        }

    def logout_op(self, access_token: str) -> None:
        with self._lock:
            token = self._tokens.get(access_token)
            if token is not None:
                token.revoked = True
                if token.refresh_token:
                    self._refresh_tokens.pop(token.refresh_token, None)

    def call(self, operation: str, query: dict[str, str], body: dict, bearer: str | None) -> dict | None:
        """One API call: counted, delayed by `latency`, throttled, then answered or refused."""
        with self._lock:
            self.calls[operation] += 1
            throttled = operation in _PORTAL and self._throttled_locked()
        if self.latency:
            time.sleep(self.latency)
        if operation in _PORTAL:
            if throttled:
                raise _portal_error(429, "TooManyRequestsException", "Too many requests")
            with self._lock:
                self._check_bearer(bearer)
        if operation == "RegisterClient":
            return self.register_client_op(body)
        if operation == "StartDeviceAuthorization":
            return self.start_device_authorization_op(body)
        if operation == "CreateToken":
            return self.create_token_op(body)
        if operation == "ListAccounts":
            return self.list_accounts_op(query)
        if operation == "ListAccountRoles":
            return self.list_account_roles_op(query)
        if operation == "GetRoleCredentials":
            return self.get_role_credentials_op(query)
        self.logout_op(bearer or "")
        return None


_ROUTES = {
    ("POST", "/client/register"): "RegisterClient",
    ("POST", "/device_authorization"): "StartDeviceAuthorization",
    ("POST", "/token"): "CreateToken",
    ("GET", "/assignment/accounts"): "ListAccounts",
    ("GET", "/assignment/roles"): "ListAccountRoles",
    ("GET", "/federation/credentials"): "GetRoleCredentials",
    ("POST", "/logout"): "Logout",
}

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Authorize request - local Identity Center</title>
<style>body{{font-family:sans-serif;max-width:32em;margin:3em auto}}code{{font-size:1.6em}}
button{{font-size:1.1em;margin-right:1em}}</style></head>
<body><h1>Authorize request</h1>{content}
<p><small>roleswitch's local IAM Identity Center (a stand-in for the demo and the tests).</small></p>
</body></html>
"""


def _device_page(center: IdentityCenter, user_code: str, note: str = "") -> str:
    device = center._find_device(user_code) if user_code else None
    code = html.escape(user_code)
    if note:
        content = f"<p>{html.escape(note)}</p>"
    elif device is None:
        content = (
            '<form method="get" action="/device"><p>Enter the code shown by the program:</p>'
            '<input name="user_code" autofocus> <button>Next</button></form>'
        )
        if user_code:
            content = f"<p>No request with the code <code>{code}</code>.</p>" + content
    elif device.state != "pending" or device.expires_at <= center.clock():
        content = f"<p>The request <code>{code}</code> is no longer waiting for an answer.</p>"
    else:
        content = (
            f"<p>A program asks to sign in with the code</p><p><code>{code}</code></p>"
            "<p>Allow it only if this is the code it shows you.</p>"
            f'<form method="post" action="/device/approve" style="display:inline">'
            f'<input type="hidden" name="user_code" value="{code}"><button>Approve</button></form>'
            f'<form method="post" action="/device/deny" style="display:inline">'
            f'<input type="hidden" name="user_code" value="{code}"><button>Deny</button></form>'
        )
    return _PAGE.format(content=content)


def _handler_for(center: IdentityCenter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: botocore reuses its connections
        # Headers and body leave in two writes; with Nagle on, the body waits for the
        # client's delayed ACK (40 ms on Linux loopback), which swamped the latency knob.
        disable_nagle_algorithm = True
        timeout = 30  # an idle kept-alive connection is closed after this long

        def log_message(self, format: str, *args: object) -> None:
            """Off: nothing about a request is worth a log line that could one day carry a token."""

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def _dispatch(self, method: str) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parsed.query))
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if parsed.path == "/device" or parsed.path.startswith("/device/"):
                self._device(method, parsed.path, query, raw)
                return
            operation = _ROUTES.get((method, parsed.path))
            if operation is None:
                self._json(404, {"message": "Not found"}, "ResourceNotFoundException")
                return
            try:
                body = json.loads(raw) if raw.strip() else {}
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                self._json(400, {"message": "Malformed JSON body"}, "InvalidRequestException")
                return
            try:
                answer = center.call(operation, query, body, self.headers.get("x-amz-sso_bearer_token"))
            except ServiceError as error:
                self._json(error.status, error.body, error.code)
                return
            self._json(200, answer or {})

        def _device(self, method: str, path: str, query: dict[str, str], raw: bytes) -> None:
            if method == "GET" and path == "/device":
                self._html(200, _device_page(center, query.get("user_code", "")))
                return
            form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace")))
            decisions = {
                "/device/approve": (center.approve, "Approved"),
                "/device/deny": (center.deny, "Denied"),
            }
            if method != "POST" or path not in decisions:
                self._html(404, _PAGE.format(content="<p>Not found.</p>"))
                return
            decide, done = decisions[path]
            user_code = form.get("user_code", "")
            try:
                decide(user_code)
            except KeyError:
                self._html(400, _device_page(center, user_code, "That request is not waiting for an answer."))
                return
            note = f"{done}. You can close this page and return to the program."
            self._html(200, _device_page(center, user_code, note))

        def _json(self, status: int, body: dict, error_type: str | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(data)

        def _html(self, status: int, page: str) -> None:
            data = page.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv: list[str] | None = None) -> int:
    """Serve the sample organisation until Ctrl-C, printing how to point AWS tools at it."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m roleswitch.local.identity_center",
        description="A local IAM Identity Center (SSO portal + OIDC) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every API call")
    parser.add_argument("--accounts", type=int, help="serve N generated accounts instead of the sample")
    parser.add_argument("--roles", type=int, default=3, help="roles per generated account (default 3)")
    args = parser.parse_args(argv)
    accounts = generated_organisation(args.accounts, args.roles) if args.accounts else None
    center = IdentityCenter(accounts, port=args.port, latency=args.latency)
    with center:
        print(f"Identity Center on {center.url} ({len(center.accounts)} accounts)")
        print(f"  export AWS_ENDPOINT_URL_SSO={center.url} AWS_ENDPOINT_URL_SSO_OIDC={center.url}")
        print(f"  sso_start_url = {center.start_url}")
        print(f"  sso_region = {center.region}")
        print(f"  approve sign-ins at {center.url}/device")
        print("Ctrl-C stops it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
