"""The AWS CLI for the serve tests: the benchmarks' peer venv (benchmarks/.peers), installed
there once if missing, or the tests that need it are skipped with the reason."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

PEERS = Path(__file__).resolve().parents[2] / "benchmarks" / ".peers"


@pytest.fixture(scope="session")
def aws_cli() -> Path:
    aws = PEERS / "bin" / "aws"
    # Another test run (or the Identity Center tests) may be installing it right now.
    with open(Path(tempfile.gettempdir()) / "roleswitch-peers.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not aws.exists():
            try:
                subprocess.run([sys.executable, "-m", "venv", str(PEERS)], check=True, timeout=120)
                subprocess.run(
                    [str(PEERS / "bin" / "pip"), "install", "--quiet", "awscli"],
                    check=True,
                    timeout=300,
                    capture_output=True,
                )
            except (OSError, subprocess.SubprocessError) as error:
                pytest.skip(f"the AWS CLI could not be installed into {PEERS} ({type(error).__name__})")
    return aws
