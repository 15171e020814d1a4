"""A hostile STS endpoint: crafted answers and slow drips, against roleswitch as a process.

Each answer is checked before anything uses it: a newline in a token or an ARN
would otherwise end up in the credentials file as a new section, and an expired
or empty key would be written as if it worked. A drip of one byte every 2 s never
trips botocore's per-read timeout, so every call also has an overall deadline:
the README's bound is 2 x (3 + 5) s plus under 2 s of backoff, 18 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from tests.reliability.hostile_sts import CraftedSts, DrippingSts, expires_in

CONFIG = (
    "[profile corp]\nregion = us-east-1\n\n"
    "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n\n"
    "[profile mfa-admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
    "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
)
CREDENTIALS = (
    "# my keys\n[corp]\naws_access_key_id = AKIAFAKEFAKE00000001\naws_secret_access_key = corpsecret\n"
)
REFUSAL_START = "roleswitch: STS answered with credentials roleswitch cannot use ("
REFUSAL_END = "); nothing was written.\n"
BOUND = 25  # the README's 18 s, plus process start-up and a slow shared machine
STORM_BOUND = 30  # each storm caller's own deadline (22 s) plus start-up on a busy 2-core machine


def start(*argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "roleswitch", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def cli(*argv: str) -> subprocess.CompletedProcess:
    process = start(*argv)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def cache_entries(home) -> list[str]:
    folder = home.root / ".cache" / "roleswitch"
    return sorted(p.name for p in folder.glob("*.json")) if folder.is_dir() else []


def assert_refused_and_untouched(home, done: subprocess.CompletedProcess, hostile: str = "") -> None:
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.startswith(REFUSAL_START) and done.stderr.endswith(REFUSAL_END), done.stderr
    assert done.stderr.count("\n") == 1
    if hostile:
        assert hostile not in done.stderr
    assert home.credentials.read_text() == CREDENTIALS
    assert list(raw_config_parse(str(home.credentials))) == ["corp"]  # botocore sees no new section
    assert [name for name in cache_entries(home) if not name.startswith("catalogue")] == []


@pytest.fixture
def crafted(home, monkeypatch):
    servers: list[CraftedSts] = []

    def make(values: dict[str, str | None], **kwargs) -> CraftedSts:
        home.write(config=CONFIG, credentials=CREDENTIALS)
        server = CraftedSts(values, **kwargs)
        servers.append(server)
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", server.url)
        return server

    yield make
    for server in servers:
        server.close()


HOSTILE_ANSWERS = {
    "newline in the token": {"SessionToken": "tok\n[evil]\naws_access_key_id = AKIAEVILEVILEVIL0001\nx = "},
    "newline in the ARN": {"Arn": "arn:aws:sts::123456789012:assumed-role/Admin/a\n[evil]\nmanager = x"},
    "tab in the ARN": {"Arn": "arn:aws:sts::123456789012:assumed-role/Admin/a\tb"},
    "ARN not an ARN": {"Arn": "not-an-arn"},
    "no ARN": {"Arn": None},
    "space in the secret": {"SecretAccessKey": "abc def"},
    "empty secret": {"SecretAccessKey": ""},
    "no secret": {"SecretAccessKey": None},
    "empty token": {"SessionToken": ""},
    "no key id": {"AccessKeyId": None},
    "lowercase key id": {"AccessKeyId": "asiahostiletest00001"},
    "short key id": {"AccessKeyId": "ASIA1"},
    "expired an hour ago": {"Expiration": expires_in(-timedelta(hours=1))},
    "expired in 2000": {"Expiration": "2000-01-01T00:00:00Z"},
    "expires in 100 hours": {"Expiration": expires_in(timedelta(hours=100))},
}


@pytest.mark.parametrize("values", HOSTILE_ANSWERS.values(), ids=HOSTILE_ANSWERS.keys())
def test_a_crafted_assume_role_answer_is_refused_and_nothing_is_written(home, crafted, values):
    server = crafted(values)
    done = cli("assume", "admin")
    assert server.calls == ["AssumeRole"]
    hostile = next(iter(values.values())) or ""
    assert_refused_and_untouched(home, done, hostile if len(hostile) > 6 else "")


@pytest.mark.parametrize(
    "command",
    [["assume", "admin"], ["env", "admin"], ["credential-process", "admin"], ["exec", "admin", "--", "true"]],
    ids=["assume", "env", "credential-process", "exec"],
)
def test_an_answer_without_credentials_is_one_sentence_for_every_command(home, crafted, command):
    crafted({}, credentials=False)
    done = cli(*command)
    assert "Traceback" not in done.stderr
    assert_refused_and_untouched(home, done)
    assert "(the answer holds no credentials)" in done.stderr


def test_a_crafted_mfa_session_is_refused_and_not_cached(home, crafted):
    server = crafted({"SessionToken": "tok\n[evil]\nx = y"})
    done = cli("assume", "mfa-admin", "--mfa-code", "123456")
    assert server.calls == ["GetSessionToken"]  # the bad session was never used for AssumeRole
    assert_refused_and_untouched(home, done)


def test_a_good_crafted_answer_still_works(home, crafted):
    """The checks refuse what is wrong, not what is unusual: a 36-hour-long token is fine."""
    crafted({"SessionToken": "A" * 3000 + "+/=="})
    done = cli("assume", "admin")
    assert done.returncode == 0, done.stderr
    written = raw_config_parse(str(home.credentials))["default"]
    assert written["aws_session_token"] == "A" * 3000 + "+/=="


class Scenario:
    """A dripping endpoint and roleswitch processes against it, in a home of their own, so
    that scenarios run at the same time: each waits ~18 s on the deadline, not on a CPU."""

    def __init__(self, root: Path, where: str, commands: list[list[str]]) -> None:
        self.root = root
        (root / ".aws").mkdir(parents=True)
        self.credentials = root / ".aws" / "credentials"
        (root / ".aws" / "config").write_text(CONFIG)
        self.credentials.write_text(CREDENTIALS)
        self.credentials.chmod(0o600)
        self.server = DrippingSts(where)
        env = os.environ.copy()
        env.update(
            HOME=str(root),
            USERPROFILE=str(root),
            AWS_CONFIG_FILE=str(root / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.credentials),
            ROLESWITCH_CONFIG=str(root / "roleswitch.toml"),
            ROLESWITCH_STATE_DIR=str(root / "state"),
            AWS_ENDPOINT_URL_STS=self.server.url,
        )
        self.processes = [
            subprocess.Popen(
                [sys.executable, "-m", "roleswitch", *argv],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for argv in commands
        ]
        self.results: list[tuple[int | None, str, str, float]] = []  # code, out, err, seconds

    def finish(self, began: float, budget: float) -> None:
        for process in self.processes:
            try:
                out, err = process.communicate(timeout=max(1.0, budget - (time.monotonic() - began)))
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            self.results.append((process.returncode, out, err, time.monotonic() - began))
        self.server.close()


def test_dripping_endpoints_fail_within_each_callers_deadline(tmp_path):
    """One byte every 2 s, in the headers or in the body: `assume` and `credential-process`
    give up with one sentence in time. A storm of four credential-process callers against one
    drip: the first gives up at the STS deadline; the waiters must not then each try again in
    turn (18 s more each), nor wait 30 s on the lock: they fail at once. All three at once."""
    began = time.monotonic()
    both = [["assume", "admin"], ["credential-process", "admin"]]
    scenarios = {
        "headers": Scenario(tmp_path / "headers", "headers", both),
        "body": Scenario(tmp_path / "body", "body", both),
        "storm": Scenario(tmp_path / "storm", "body", [["credential-process", "admin"]] * 4),
    }
    try:
        for scenario in scenarios.values():
            scenario.finish(began, BOUND + 15)
    finally:
        for scenario in scenarios.values():
            for process in scenario.processes:
                if process.poll() is None:
                    process.kill()
            scenario.server.close()
    for where in ("headers", "body"):
        scenario = scenarios[where]
        assert scenario.server.connections >= 1, where
        for (name, _admin), (code, out, err, took) in zip(both, scenario.results, strict=True):
            assert took < BOUND, f"{name} ({where}) ran {took:.0f}s"
            assert code == 1 and out == "", (name, where, code, err)
            assert err.startswith("roleswitch: STS did not answer within 18s") and err.count("\n") == 1, err
        assert scenario.credentials.read_text() == CREDENTIALS
    storm = scenarios["storm"]
    for code, out, err, took in storm.results:
        assert took < STORM_BOUND, f"a caller ran {took:.0f}s: {err}"
        assert code == 1 and out == "" and err.count("\n") == 1, err
    assert storm.server.connections == 1  # one caller tried; the others did not start another drip
    messages = sorted(err for _code, _out, err, _took in storm.results)
    assert messages[0].startswith("roleswitch: Another roleswitch was fetching credentials for admin")
    assert messages[-1].startswith("roleswitch: STS did not answer within 18s")
    assert storm.credentials.read_text() == CREDENTIALS
