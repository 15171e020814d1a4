"""Every account and role an SSO sign-in can reach: ListAccounts, then ListAccountRoles
per account, a few at a time, remembered per start URL.

Role listing runs in a small thread pool while account pages still arrive, so 2,000
accounts take seconds, not minutes. TooManyRequestsException is retried with full
jitter backoff (bounded in attempts, so in time); any other failure stops the whole
discovery with one sentence. `progress` is called on the caller's thread.

Naming (returned as data; the catalogue uses it later): `SESSION/ACCOUNT_NAME/ROLE`.
Each part is cleaned by `name_part`: surrounding space dropped, every run of spaces,
`/` or control characters becomes one `-`; an empty account name becomes the account
id; when two accounts of one session clean to the same name, both get `-ACCOUNT_ID`
appended, so every name is unique and the same on every machine.

The cache (JSON, 0600, in roleswitch's cache folder, trusted only by
`cache_folder_problem`'s rules) holds ids and names, no token.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from roleswitch.core.json_cache import JsonCache
from roleswitch.core.sso.config import SsoSession
from roleswitch.core.sso.errors import SsoError, login_needed
from roleswitch.core.sso.token_cache import SsoToken, TokenCache, valid_token
from roleswitch.core.sts import Timeouts

WORKERS = 8
PAGE_SIZE = 100  # the portal's largest page
THROTTLE_ATTEMPTS = 8
BACKOFF_BASE = 0.2
BACKOFF_CAP = 3.0
MAX_PAGES = 10_000  # a portal that hands out next tokens forever still ends
_FORMAT = 1
_ACCOUNT_ID_RE = re.compile(r"^\d{12}$", re.ASCII)
_SEPARATORS_RE = re.compile(r"[\s/\x00-\x1f\x7f]+")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def name_part(text: str) -> str:
    """One part of a target name: no `/`, no spaces, no control characters."""
    return _SEPARATORS_RE.sub("-", text.strip()).strip("-")


@dataclass(frozen=True, slots=True)
class DiscoveredAccount:
    account_id: str
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiscoveredRole:
    """A role the sign-in may use, named `SESSION/ACCOUNT_NAME/ROLE`."""

    target_name: str
    session: str
    account_id: str
    account_name: str
    role_name: str


@dataclass(frozen=True, slots=True)
class Discovery:
    session: str
    start_url: str
    fetched_at: datetime
    accounts: tuple[DiscoveredAccount, ...]

    @property
    def role_count(self) -> int:
        return sum(len(a.roles) for a in self.accounts)

    def age(self, now: datetime | None = None) -> timedelta:
        return (now or _utc_now()) - self.fetched_at

    def roles(self) -> list[DiscoveredRole]:
        """Every role with its target name (see the module's naming rule)."""
        cleaned = {a.account_id: name_part(a.name) or a.account_id for a in self.accounts}
        seen: dict[str, int] = {}
        for name in cleaned.values():
            seen[name] = seen.get(name, 0) + 1
        session = name_part(self.session) or self.session
        found = []
        for account in self.accounts:
            label = cleaned[account.account_id]
            if seen[label] > 1:
                label = f"{label}-{account.account_id}"
            for role in account.roles:
                target = f"{session}/{label}/{name_part(role) or role}"
                found.append(DiscoveredRole(target, self.session, account.account_id, account.name, role))
        return found


@dataclass(frozen=True, slots=True)
class Progress:
    """How far discovery is: accounts whose roles are known, of the accounts listed so far."""

    done: int
    listed: int
    listing_done: bool

    @property
    def text(self) -> str:
        total = f"{self.listed:,}" if self.listing_done else f"{self.listed:,}+"
        return f"{self.done:,} of {total} accounts"


def discover(
    session: SsoSession,
    *,
    token: SsoToken | None = None,
    cache: TokenCache | None = None,
    progress: Callable[[Progress], None] | None = None,
    workers: int = WORKERS,
    page_size: int = PAGE_SIZE,
    timeouts: Timeouts | None = None,
    now: Callable[[], datetime] = _utc_now,
    sleep: Callable[[float], None] = time.sleep,
) -> Discovery:
    """List every account and its roles; `SsoError` with one sentence on failure."""
    from roleswitch.core.sso.calls import make_client

    timeouts = timeouts or Timeouts()
    if token is None:
        token = valid_token(session, cache=cache, timeouts=timeouts, now=now)
    access = token.access_token
    client = make_client("sso", session.region, timeouts, pool=workers + 2, retries=False)
    call = _Caller(session, timeouts, sleep)
    report = progress or (lambda _: None)
    accounts: list[tuple[str, str]] = []
    roles: dict[str, tuple[str, ...]] = {}
    futures: dict[Future, str] = {}

    def account_roles(account_id: str) -> tuple[str, ...]:
        names: list[str] = []
        for page in call.pages(
            lambda extra: client.list_account_roles(
                accessToken=access, accountId=account_id, maxResults=page_size, **extra
            )
        ):
            names += [r["roleName"] for r in page.get("roleList", []) if _role_ok(r)]
        return tuple(dict.fromkeys(names))

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="roleswitch-sso-discovery") as pool:
        try:
            for page in call.pages(
                lambda extra: client.list_accounts(accessToken=access, maxResults=page_size, **extra)
            ):
                for item in page.get("accountList", []):
                    if _account_ok(item) and all(item["accountId"] != a for a, _ in accounts):
                        accounts.append((item["accountId"], item.get("accountName") or ""))
                        futures[pool.submit(account_roles, item["accountId"])] = item["accountId"]
                report(Progress(sum(f.done() for f in futures), len(accounts), False))
            report(Progress(sum(f.done() for f in futures), len(accounts), True))
            pending = set(futures)
            while pending:
                finished, pending = wait(pending, timeout=0.25, return_when=FIRST_EXCEPTION)
                for future in finished:
                    roles[futures[future]] = future.result()  # raises the first failure
                report(Progress(len(roles), len(accounts), True))
        except BaseException:
            call.stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return Discovery(
        session.name,
        session.start_url,
        now().replace(microsecond=0),
        tuple(DiscoveredAccount(a, name, roles.get(a, ())) for a, name in accounts),
    )


class _Caller:
    """One portal call: bounded by the deadline, retried with jittered backoff when throttled."""

    def __init__(self, session: SsoSession, timeouts: Timeouts, sleep: Callable[[float], None]) -> None:
        self.session = session
        self.timeouts = timeouts
        self.sleep = sleep
        self.stop = threading.Event()  # set when discovery failed: the other workers give up

    def __call__(self, call: Callable[[], dict]) -> dict:
        from roleswitch.core.sso.calls import error_code, is_throttled, map_transport_error, within_deadline

        for attempt in range(THROTTLE_ATTEMPTS):
            if self.stop.is_set():
                raise SsoError("Discovery stopped.", code="cancelled")
            try:
                return within_deadline(call, self.timeouts, "sso")
            except SsoError:
                raise
            except Exception as error:
                code = error_code(error)
                if code == "UnauthorizedException":
                    raise login_needed(
                        self.session.name, "has ended (its sign-in expired or was revoked)"
                    ) from None
                if code in ("ResourceNotFoundException", "AccessDeniedException"):
                    return {}  # an account taken away while listing: no roles there
                if not is_throttled(error) or attempt == THROTTLE_ATTEMPTS - 1:
                    raise map_transport_error(error, "sso") from None
            self.sleep(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)))
        raise AssertionError("unreachable")

    def pages(self, call: Callable[[dict], dict]):
        """Each page of a paginated listing, following nextToken a bounded number of times."""
        extra: dict = {}
        for _ in range(MAX_PAGES):
            page = self(functools.partial(call, extra))
            yield page
            next_token = page.get("nextToken")
            if not isinstance(next_token, str) or not next_token:
                return
            extra = {"nextToken": next_token}
        raise SsoError(
            "The IAM Identity Center portal kept answering with more pages; try again later.",
            code="bad-answer",
        )


def _account_ok(item: object) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("accountId"), str)
        and bool(_ACCOUNT_ID_RE.match(item["accountId"]))
        and isinstance(item.get("accountName", ""), str)
        and len(item.get("accountName", "")) <= 256
    )


def _role_ok(item: object) -> bool:
    name = item.get("roleName") if isinstance(item, dict) else None
    return isinstance(name, str) and 0 < len(name) <= 128 and name.isprintable()


class DiscoveryCache:
    """Discovery results per start URL in roleswitch's cache folder (see `JsonCache`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self._files = JsonCache(folder)

    @property
    def folder(self) -> Path:
        return self._files.folder

    def __repr__(self) -> str:
        return f"DiscoveryCache({str(self.folder)!r})"

    def path(self, start_url: str) -> Path:
        return self.folder / self._name(start_url)

    def load(self, session: SsoSession) -> Discovery | None:
        """The last discovery for this session's start URL (named after the session as it
        is now), or None when there is none or the folder or file cannot be trusted."""
        data = self._files.read(self._name(session.start_url))
        try:
            if not isinstance(data, dict) or data.get("format") != _FORMAT:
                return None
            if data.get("start_url") != session.start_url:
                return None
            accounts = tuple(
                DiscoveredAccount(str(a["id"]), str(a["name"]), tuple(str(r) for r in a["roles"]))
                for a in data["accounts"]
            )
            fetched = datetime.fromtimestamp(float(data["fetched_at"]), UTC)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        return Discovery(session.name, session.start_url, fetched, accounts)

    def save(self, discovery: Discovery) -> bool:
        """False when the folder cannot be trusted or written: the next start is slower, nothing worse."""
        data = {
            "format": _FORMAT,
            "start_url": discovery.start_url,
            "fetched_at": discovery.fetched_at.timestamp(),
            "accounts": [
                {"id": a.account_id, "name": a.name, "roles": list(a.roles)} for a in discovery.accounts
            ],
        }
        return self._files.write(self._name(discovery.start_url), data)

    @staticmethod
    def _name(start_url: str) -> str:
        return f"sso-discovery-{hashlib.sha1(start_url.encode('utf-8')).hexdigest()}.json"
