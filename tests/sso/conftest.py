"""Fixtures for the SSO core: the local Identity Center (tests/local's fixtures), a fake
clock that the login's waits move instead of sleeping, and the session as configured."""

from __future__ import annotations

import pytest

from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.token_cache import TokenCache
from tests.local.conftest import center, clock, sso_profile  # noqa: F401  (fixtures)


class Waits:
    """The login's `pause`: records each wait and moves the fake clock by it, at once.
    `actions[n]` runs (approve, deny...) at the n-th wait."""

    def __init__(self, fake_clock) -> None:
        self.clock = fake_clock
        self.seconds: list[float] = []
        self.actions: dict[int, object] = {}
        self.skew: dict[int, float] = {}  # n -> how much of that wait the clock really moves

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)
        n = len(self.seconds)
        self.clock.advance(seconds * self.skew.get(n, 1.0))
        action = self.actions.get(n)
        if action is not None:
            action()


@pytest.fixture
def waits(clock) -> Waits:  # noqa: F811 (the imported fixture)
    return Waits(clock)


@pytest.fixture
def corp(sso_profile):  # noqa: F811 (the imported fixture)
    """The `corp` sso-session of tests/local's sso_profile fixture, as roleswitch reads it."""
    session = load_sso_config().find("corp")
    assert session is not None
    return session


@pytest.fixture
def token_cache(sso_profile) -> TokenCache:  # noqa: F811 (the imported fixture)
    return TokenCache(sso_profile)


@pytest.fixture
def silent_port():
    """A URL whose server accepts connections and never answers: the worst endpoint."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
