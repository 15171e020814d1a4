import time

import pytest


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch):
    """Local times on screen are deterministic: the app's local zone is UTC in tests."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
