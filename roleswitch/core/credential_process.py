"""What `roleswitch credential-process TARGET` answers an SDK: cached credentials, or one STS call.

An SDK runs the command for every client it builds and again before expiry,
often dozens at once, and waits for it without a deadline of its own. So:

- the cache is read first, without a lock, and boto3 is imported only on a miss;
- one caller per entry fetches while the others wait for its answer, and no
  caller starts a fetch it could not finish within its own deadline: after a
  peer's slow failure the waiters fail at once instead of failing one by one;
- it never prompts (the SDK owns the terminal): an MFA role needs an open MFA
  session;
- a source whose own `credential_process` runs roleswitch for the same target
  would wait on its own lock: the chain of targets being resolved travels in
  an environment variable to the processes botocore starts, and a repeat is
  refused at once.

`answer_from_cache` is the fast path for the common call, a cache hit: it
imports neither the catalogue nor the model, and reads one small "answer hint"
per target name, written after a full answer. The hint holds no secret: the
role cache entry's name and key, the warnings the catalogue printed, the target's
environment when it asks first (so a call without --yes is refused here too), and the
identity (device, inode, size, mtime, ctime) of every file the answer was built
from: the AWS config and credentials files, roleswitch's TOML, the modules that
build targets, the discovery caches. Any difference sends the call down the full
path, which answers exactly as before and writes a new hint. A hint is written
only when all those files are settled (file_identity.SETTLED_NS), so an edit in the same
clock tick as the hint cannot hide behind an unchanged mtime.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from collections.abc import MutableMapping
from datetime import UTC, datetime

from roleswitch import __version__
from roleswitch.core import paths
from roleswitch.core.clock import format_expiration, parse_expiration
from roleswitch.core.errors import AssumeError, RoleswitchError
from roleswitch.core.file_identity import identities, plainly_private, read_ours

TYPE_CHECKING = False  # the model and the caches only on the full path: see answer_from_cache
if TYPE_CHECKING:
    from roleswitch.core.clock import Clock
    from roleswitch.core.model import Catalogue, Credentials, Settings, Target
    from roleswitch.core.role_cache import RoleCredentialsCache

CHAIN_VARIABLE = "ROLESWITCH_CREDENTIAL_PROCESS_CHAIN"
LONGEST_CHAIN = 8
# One STS call's overall bound: sts.Timeouts().deadline, copied so that a cache hit
# need not import the STS module (a test keeps the two equal).
FETCH_SECONDS = 18.0
# A caller's own deadline: one fetch, plus start-up and a peer's head start.
CALLER_SECONDS = FETCH_SECONDS + 4.0
# role_cache.SDK_REFRESH_MARGIN, copied so that a cache hit need not import the model
# (a test keeps the two equal, and serve_margin's rule with them).
SDK_REFRESH_MARGIN = 15 * 60
HINT_PREFIX = "credential-process-"
# Besides the catalogue's builders, the modules whose code shapes the answer.
_ANSWER_MODULES = ("credential_process.py", "role_cache.py", "secret_cache.py", "clock.py")


def credentials_for_sdk(
    target: Target,
    settings: Settings,
    *,
    cache: RoleCredentialsCache | None = None,
    clock: Clock | None = None,
    environ: MutableMapping[str, str] | None = None,
    deadline: float = CALLER_SECONDS,
) -> Credentials:
    """The target's credentials for an SDK; `RoleswitchError` with one sentence otherwise."""
    from roleswitch.core.clock import SystemClock
    from roleswitch.core.file_lock import LockTimeout
    from roleswitch.core.role_cache import RoleCredentialsCache

    began = time.monotonic()
    environ = os.environ if environ is None else environ
    chain = _chain_without_repeat(target.name, environ)
    cache = cache or RoleCredentialsCache()
    clock = clock or SystemClock()
    served = cache.get(target, settings, clock.now())
    if served is not None:
        return served
    try:
        with cache.fetching(target, settings, timeout=deadline):
            served = cache.get(target, settings, clock.now())  # a peer fetched while we waited
            if served is not None:
                return served
            if time.monotonic() - began > deadline - FETCH_SECONDS:
                raise RoleswitchError(
                    f"Another roleswitch was fetching credentials for {target.name} and did not get "
                    "them; try again in a moment."
                )
            environ[CHAIN_VARIABLE] = json.dumps([*chain, target.name])
            credentials = _assume(target, settings)
            cache.put(target, settings, credentials, clock.now())
            return credentials
    except LockTimeout:
        raise RoleswitchError(
            f"Another roleswitch has been fetching credentials for {target.name} for "
            f"{deadline:.0f}s; try again in a moment."
        ) from None
    except OSError as error:
        raise RoleswitchError(
            f"Cannot lock roleswitch's cache in {cache.cache.folder} ({error.strerror}); check "
            "the folder's permissions."
        ) from None


def _chain_without_repeat(name: str, environ: MutableMapping[str, str]) -> list[str]:
    """The targets being resolved by the credential-process calls above this one."""
    try:
        chain = json.loads(environ.get(CHAIN_VARIABLE) or "[]")
    except ValueError:
        chain = []
    if not isinstance(chain, list) or not all(isinstance(item, str) for item in chain):
        chain = []
    if name in chain:
        loop = " -> ".join([*chain[chain.index(name) :], name])
        raise RoleswitchError(
            f"credential-process {name} needs its own credentials to get them (a source "
            f"profile's credential_process runs roleswitch for it again: {loop}); give {name} "
            "a source profile that does not."
        )
    if len(chain) >= LONGEST_CHAIN:
        raise RoleswitchError(
            f"credential-process calls are nested {len(chain)} deep ({' -> '.join(chain)}); "
            "give the roles source profiles with their own keys."
        )
    return chain


def _assume(target: Target, settings: Settings) -> Credentials:
    from roleswitch.core.mfa_sessions import MfaSessionStore
    from roleswitch.core.sts import StsClient

    try:
        return StsClient(mfa_sessions=MfaSessionStore()).assume(target, settings=settings).credentials
    except AssumeError as error:
        if error.code not in ("mfa-required", "mfa-session-ended"):
            raise
        raise RoleswitchError(
            f"{target.name} needs an MFA session, and credential-process never asks for a "
            f"code; run `roleswitch assume {target.name}` (or open the app) once, then retry."
        ) from None


def check_confirmed(catalogue: Catalogue, target: Target, *, yes: bool) -> None:
    """A target whose environment asks first is served only with `--yes`: an SDK owns the
    terminal, so credential-process never asks."""
    if yes or not catalogue.needs_confirmation(target):
        return
    environment = catalogue.environment_of(target)
    refuse_unconfirmed(target.name, environment.name if environment else "")


def refuse_unconfirmed(name: str, environment: str) -> None:
    from roleswitch.core.confirmation import NotConfirmed

    raise NotConfirmed(
        f"{name} is in {environment}, which asks before every assume, and credential-process never "
        f"asks; add --yes to the profile's command (`roleswitch add-profile {name} --yes` writes it).",
        code="needs-yes",
    )


# --- the fast path -------------------------------------------------------------------


def input_stamp() -> tuple[str, bool] | None:
    """The identity of everything an answer is built from, and whether all of it is
    settled (see file_identity); None when a file cannot even be looked at."""
    from roleswitch.core.catalogue_cache import builder_paths, discovery_key

    here = os.path.dirname(__file__)
    found = identities(
        [
            paths.aws_config_location(),
            paths.aws_credentials_location(),
            paths.roleswitch_config_location(),
            *builder_paths(),
            *(os.path.join(here, name) for name in _ANSWER_MODULES),
        ]
    )
    if found is None:
        return None
    return f"{__version__}\0{found[0]}\0{discovery_key(paths.cache_location())}", found[1]


def _hint_path(folder: str, name: str) -> str:
    return os.path.join(folder, f"{HINT_PREFIX}{zlib.crc32(name.encode('utf-8')):08x}.json")


def _read_ours(path: str) -> object:
    """The JSON in `path` if it is a regular file of ours; None otherwise."""
    data = read_ours(path)
    try:
        return None if data is None else json.loads(data)
    except ValueError:
        return None


def answer_from_cache(
    name: str, environ: MutableMapping[str, str] | None = None, *, yes: bool = False
) -> tuple[str, list[str]] | None:
    """What `credential-process NAME` prints (the JSON line, and the warnings before it)
    when its cached credentials are still served and nothing they were built from has
    changed since the full path answered; None sends the call down the full path.
    A target that asks first, called without `yes`, is refused here as the full path
    refuses it (`NotConfirmed`)."""
    environ = os.environ if environ is None else environ
    if environ.get(CHAIN_VARIABLE):
        return None  # nested: the full path checks the chain
    folder = paths.cache_location()
    if not plainly_private(folder):
        return None
    hint = _read_ours(_hint_path(folder, name))
    if not isinstance(hint, dict) or hint.get("name") != name:
        return None
    entry, warnings = hint.get("entry"), hint.get("warnings")
    if not isinstance(entry, str) or not entry.startswith("role-") or os.sep in entry:
        return None
    if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
        return None
    confirm = hint.get("confirm", False)  # the environment's name when the target asks first
    if confirm is not None and not isinstance(confirm, str):
        return None
    stamp = input_stamp()
    if stamp is None or hint.get("stamp") != stamp[0]:
        return None
    if confirm is not None and not yes:
        for problem in warnings:  # what the full path prints before it refuses
            print(f"roleswitch: warning: {problem}", file=sys.stderr)
        refuse_unconfirmed(name, confirm)
    data = _read_ours(os.path.join(folder, entry))
    if not isinstance(data, dict) or data.get("key") != hint.get("key"):
        return None
    values = [data.get(k) for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")]
    expiration = parse_expiration(str(data.get("Expiration", "")))
    obtained = parse_expiration(str(data.get("Obtained", "")))
    if expiration is None or not all(isinstance(v, str) and v for v in values):
        return None
    lifetime = (expiration - obtained).total_seconds() if obtained else None
    margin = (
        SDK_REFRESH_MARGIN if lifetime is None or lifetime <= 0 else min(SDK_REFRESH_MARGIN, lifetime / 3)
    )
    if (expiration - datetime.now(UTC)).total_seconds() <= margin:
        return None
    access_key_id, secret_access_key, session_token = values
    line = json.dumps(
        {
            "Version": 1,
            "AccessKeyId": access_key_id,
            "SecretAccessKey": secret_access_key,
            "SessionToken": session_token,
            "Expiration": format_expiration(expiration),
        }
    )
    return line, warnings


def remember_answer(name: str, stamp: tuple[str, bool] | None, catalogue: Catalogue, target: Target) -> None:
    """After a full answer: the hint that lets the next call for `name` take the fast path.
    Nothing is written when any input was not settled when `stamp` was taken (before the
    catalogue was read), or when the cache entry is not there to be served."""
    import contextlib
    from pathlib import Path

    from roleswitch.core.guarded_file import atomic_write
    from roleswitch.core.role_cache import RoleCredentialsCache

    if stamp is None or not stamp[1]:
        return
    folder = paths.cache_location()
    if not plainly_private(folder):
        return
    cache = RoleCredentialsCache()
    key = cache.key(target, catalogue.settings)
    entry = cache.cache.entry_path(key)
    if entry.parent != Path(folder) or not entry.exists():
        return
    environment = catalogue.environment_of(target) if catalogue.needs_confirmation(target) else None
    hint = {
        "name": name,
        "stamp": stamp[0],
        "entry": entry.name,
        "key": key,
        "warnings": list(catalogue.problems),
        "confirm": environment.name if environment is not None else None,
    }
    path = _hint_path(folder, name)
    if _read_ours(path) == hint:
        return
    with contextlib.suppress(OSError, RoleswitchError):  # no hint: the next call is only slower
        atomic_write(Path(path), json.dumps(hint).encode("utf-8"), 0o600)
