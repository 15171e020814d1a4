"""The demo runs the local federation endpoint, so its console key and command sign in
to the local console page; quitting stops it."""

from __future__ import annotations

import os
import urllib.error
import urllib.request

import pytest

from roleswitch import cli
from roleswitch.core.aws.federation import ENDPOINT_VARIABLE
from roleswitch.demo import DemoSandbox


def test_the_demo_signs_in_to_its_local_console_page(home, capsys):
    with DemoSandbox() as sandbox:
        endpoint = os.environ[ENDPOINT_VARIABLE]
        assert (
            endpoint.startswith("http://127.0.0.1:")
            and f"export {ENDPOINT_VARIABLE}=" in sandbox.export_lines()
        )
        assert cli.main(["console", "production/Admin", "--print"]) == 0
        url = capsys.readouterr().out.strip()
        page = urllib.request.urlopen(url, timeout=5).read().decode()
        assert "assumed-role/Admin/demo-user" in page and "111111111111" in page
    assert ENDPOINT_VARIABLE not in os.environ
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(endpoint, timeout=2)


def test_a_second_sandbox_in_the_same_process_starts_clean(home):
    """moto's backends are process-wide: a sandbox once found the first one's users and
    failed to seed (EntityAlreadyExists) when the suite ran in one process."""
    with DemoSandbox():
        pass
    with DemoSandbox() as second:
        assert second.url
