"""The credentials a server hands out: one set shared by every caller, renewed ahead.

botocore asks again 15 minutes before expiry (and must have new ones at 10), so
the set is renewed 16 minutes before it ends (a third of the session for sessions
shorter than 48 minutes): when an SDK asks, fresh ones are already there. A
background thread renews ahead; a request that finds them inside the margin
renews them itself. Either way one lock makes one STS call for any number of
callers, and after a failure no call is made again for `RETRY_SECONDS`, so a
storm of callers can never become a storm on STS.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from roleswitch.core.clock import Clock, SystemClock
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.model import Credentials
from roleswitch.core.role_cache import SDK_REFRESH_MARGIN
from roleswitch.core.secret_cache import seconds_until

# Renew this long before expiry: botocore's refresh window plus a minute.
AHEAD_OF_SDK = SDK_REFRESH_MARGIN + 60
# Credentials are used for at least this long before a renewal, whatever was asked.
SHORTEST_USE = 2.0
# After a failed renewal, STS is not called again for this long.
RETRY_SECONDS = 15.0
# Credentials with less than this left are not handed out, even when renewal failed.
LEAST_LEFT = 30.0
# The background thread looks at the clock at least this often (a laptop may sleep).
LONGEST_NAP = 30.0


def default_margin(lifetime: float) -> float:
    """How long before expiry a set that lasts `lifetime` seconds is renewed."""
    return min(AHEAD_OF_SDK, lifetime / 3)


class Refresher:
    """Holds the served credentials; `fetch` gets new ones (one STS call, or a cache read)."""

    def __init__(
        self,
        fetch: Callable[[], Credentials],
        *,
        clock: Clock | None = None,
        renew_before: float | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self._fetch = fetch
        self.clock = clock or SystemClock()
        self.renew_before = renew_before
        self._log = log or (lambda message: None)
        self._current: Credentials | None = None
        self._margin = 0.0
        self._lifetime = 0.0
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._failure: str | None = None
        self._logged: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.fetches = 0  # successful fetches, for the tests and the status bar

    def __repr__(self) -> str:
        return f"Refresher(current={self._current!r})"

    # --- handing out ---------------------------------------------------------------

    def get(self) -> Credentials:
        """Credentials with more than the margin left; `RoleswitchError` with one sentence when
        none can be had (the served ones are kept while they are still valid)."""
        current = self._current
        if current is not None and self._left(current) > self._margin:
            return current  # the path of nearly every request: no lock
        with self._lock:
            current = self._current
            if current is not None and self._left(current) > self._margin:
                return current  # renewed by the caller that held the lock
            if not self._failed_recently():
                self._renew_locked()
            current = self._current
            if current is not None and self._left(current) > LEAST_LEFT:
                return current
            raise RoleswitchError(self._failure or "The credential server has no credentials yet; try again.")

    def prime(self, credentials: Credentials | None = None) -> Credentials:
        """The first set: given (already fetched), else fetched now; raises on failure."""
        with self._lock:
            if credentials is not None:
                self._set(credentials)
            else:
                self._renew_locked()
                if self._failure is not None:
                    raise RoleswitchError(self._failure)
            assert self._current is not None
            return self._current

    # --- renewing ahead -----------------------------------------------------------------

    def start(self) -> None:
        """Renew ahead in a daemon thread until `stop`."""
        self._thread = threading.Thread(target=self._renew_ahead, name="roleswitch-serve-renew", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _renew_ahead(self) -> None:
        while not self._stop.is_set():
            current = self._current
            if current is None:
                wait = RETRY_SECONDS
            else:
                # Renewed a little before requests would have to, so they never wait on STS.
                # Never so early that a set is renewed before it was used: the lead is at
                # most half of the time between getting it and the margin.
                lead = min(60.0, self._margin / 10, (self._lifetime - self._margin) / 2)
                wait = self._left(current) - self._margin - lead
            if wait <= 0:
                with self._lock:
                    if self._failed_recently():
                        wait = RETRY_SECONDS
                    elif self._current is current:
                        self._renew_locked()
                        continue
            self._stop.wait(min(max(wait, 0.05), LONGEST_NAP))

    # --- inside the lock ------------------------------------------------------------

    def _renew_locked(self) -> None:
        try:
            credentials = self._fetch()
        except RoleswitchError as error:
            self._failed(str(error))
            return
        except Exception as error:  # never a traceback from a server thread
            self._failed(f"Renewing the served credentials failed unexpectedly ({type(error).__name__}).")
            return
        if self._failure is not None:
            self._log("renewed the credentials again; the server answers normally.")
        self._failure = self._failed_at = self._logged = None
        self.fetches += 1
        self._set(credentials)

    def _set(self, credentials: Credentials) -> None:
        lifetime = self._left(credentials)
        margin = default_margin(lifetime) if self.renew_before is None else self.renew_before
        self._margin = max(0.0, min(margin, lifetime - SHORTEST_USE))
        self._lifetime = lifetime
        self._current = credentials

    def _failed(self, message: str) -> None:
        self._failure, self._failed_at = message, time.monotonic()
        if message != self._logged:  # each problem once, not once per request
            self._logged = message
            self._log(message)

    def _failed_recently(self) -> bool:
        return self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_SECONDS

    def _left(self, credentials: Credentials) -> float:
        return seconds_until(credentials.expiration, self.clock.now())
