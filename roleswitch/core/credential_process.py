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
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import MutableMapping

from roleswitch.core.clock import Clock, SystemClock
from roleswitch.core.errors import AssumeError, RoleswitchError
from roleswitch.core.file_lock import LockTimeout
from roleswitch.core.model import Credentials, Settings, Target
from roleswitch.core.role_cache import RoleCredentialsCache

CHAIN_VARIABLE = "ROLESWITCH_CREDENTIAL_PROCESS_CHAIN"
LONGEST_CHAIN = 8
# One STS call's overall bound: sts.Timeouts().deadline, copied so that a cache hit
# need not import the STS module (a test keeps the two equal).
FETCH_SECONDS = 18.0
# A caller's own deadline: one fetch, plus start-up and a peer's head start.
CALLER_SECONDS = FETCH_SECONDS + 4.0


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
