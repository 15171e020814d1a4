"""Shared fixtures: an isolated home and AWS environment, and moto's STS server.

Every test runs with HOME and the AWS/roleswitch file variables (the state folder
too) pointing into a temporary folder, so nothing on the machine is read or written. The moto server
is real: boto3 reaches it only through AWS_ENDPOINT_URL_STS / _IAM.
"""

from __future__ import annotations

import fcntl
import json
import logging
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from roleswitch.core.environment import ALL_AWS_AND_ROLESWITCH

DATA = Path(__file__).parent / "data"
_AWS_VARS = ALL_AWS_AND_ROLESWITCH


@dataclass
class Home:
    """The isolated files one test works with."""

    root: Path
    config: Path
    credentials: Path
    toml: Path
    # roleswitch's state folder (pins, recent use): where ~/.local/state/roleswitch is under
    # this HOME, so a subprocess given only HOME (the tmux tests) uses the same one.
    state: Path

    def write(self, config: str = "", credentials: str | None = None, toml: str | None = None) -> None:
        self.config.write_text(config)
        if credentials is not None:
            self.credentials.write_text(credentials)
            self.credentials.chmod(0o600)  # as AWS tools create it
        if toml is not None:
            self.toml.parent.mkdir(parents=True, exist_ok=True)
            self.toml.write_text(toml)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    for name in _AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "home"
    (root / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(root))
    monkeypatch.setenv("USERPROFILE", str(root))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    h = Home(
        root=root,
        config=root / ".aws" / "config",
        credentials=root / ".aws" / "credentials",
        toml=root / ".config" / "roleswitch" / "config.toml",
        state=root / ".local" / "state" / "roleswitch",
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(h.config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(h.credentials))
    monkeypatch.setenv("ROLESWITCH_CONFIG", str(h.toml))
    monkeypatch.setenv("ROLESWITCH_STATE_DIR", str(h.state))
    return h


class Moto:
    """moto's server on 127.0.0.1 and helpers to set up IAM state in it."""

    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, path: str, body: str = "") -> None:
        """A control call to moto (reset, auth); a connection the server dropped is tried
        again, up to four times: on a loaded machine its single listener has reset one, while
        reading the answer or while urllib was still sending (seen in CI both ways)."""
        request = urllib.request.Request(
            self.url + path,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        for attempt in range(5):
            try:
                urllib.request.urlopen(request, timeout=5).read()
                return
            except (ConnectionResetError, ConnectionAbortedError, urllib.error.URLError) as error:
                dropped = getattr(error, "reason", error)  # urllib wraps a reset while sending
                if attempt == 4 or not isinstance(dropped, (ConnectionResetError, ConnectionAbortedError)):
                    raise
                time.sleep(0.2 * (attempt + 1))

    def reset(self) -> None:
        self.post("/moto-api/reset-auth", "inf")
        self.post("/moto-api/reset")

    def enforce_auth(self) -> None:
        """From now on moto checks IAM policies and trust policies (aws-conventions.md)."""
        self.post("/moto-api/reset-auth", "0")

    def iam(self):
        import boto3

        return boto3.client(
            "iam",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="setup",
        )

    def create_user(self, name: str, *, can_assume: bool = True) -> tuple[str, str, str]:
        """A user with keys; returns (user arn, access key id, secret)."""
        iam = self.iam()
        user = iam.create_user(UserName=name)["User"]
        if can_assume:
            iam.put_user_policy(
                UserName=name,
                PolicyName="assume",
                PolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
                    }
                ),
            )
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return user["Arn"], key["AccessKeyId"], key["SecretAccessKey"]

    def create_role(self, name: str, trusted: str, *, external_id: str | None = None) -> str:
        statement: dict = {"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}
        if external_id:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
        role = self.iam().create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )["Role"]
        return role["Arn"]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[Moto]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield Moto(f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def moto(moto_server: Moto, monkeypatch: pytest.MonkeyPatch) -> Iterator[Moto]:
    """A clean moto server that this test's boto3 reaches through the endpoint variables."""
    moto_server.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", moto_server.url)
    yield moto_server
    moto_server.reset()


@pytest.fixture
def sts_calls(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Route STS through a counting relay to moto: `sts_calls["AssumeRole"]` is how many arrived."""
    from tests.sts_counter import StsCounter

    counter = StsCounter(moto.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", counter.url)
    yield counter
    counter.close()


# --- the AWS CLI, for tests that prove a real AWS tool works with roleswitch's servers ---

PEERS = Path(__file__).resolve().parents[2] / "benchmarks" / ".peers"


@pytest.fixture(scope="session")
def aws_cli() -> Path:
    """The AWS CLI from the benchmarks' peer venv (benchmarks/.peers), installed there once
    if missing (under a lock: parallel runs install once), else the test is skipped."""
    aws = PEERS / "bin" / "aws"
    # Another test run may be installing it right now.
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
