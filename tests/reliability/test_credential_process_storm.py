"""credential-process under storms: many SDK clients at once, failing endpoints, loops.

Every caller is a real process; STS is moto's server behind a counting relay
(`sts_calls`). The storm against an endpoint that drips one byte every 2 s runs at the
same time as the other drips, in test_hostile_endpoint.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from roleswitch.core import credential_process
from roleswitch.core.sts import Timeouts


def setup(home, moto, *, duration: int = 900, source: str = "corp", extra: str = "") -> None:
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    home.write(
        config=(
            f"[profile corp]\nregion = us-east-1\n\n{extra}"
            f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = {source}\n"
            f"duration_seconds = {duration}\n"
        ),
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )


def start(*argv: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "roleswitch", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def storm(count: int, timeout: float) -> list[tuple[int, str, str, float]]:
    """`count` credential-process calls at once; (status, stdout, stderr, seconds) each."""
    began = time.monotonic()
    processes = [start("credential-process", "admin") for _ in range(count)]
    results = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=max(1.0, timeout - (time.monotonic() - began)))
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        results.append((process.returncode, out, err, time.monotonic() - began))
    return results


def test_thirty_parallel_calls_for_a_900_second_role_make_one_sts_call(home, moto, sts_calls):
    setup(home, moto, duration=900)
    results = storm(30, timeout=120)
    failures = [(code, err) for code, _out, err, _took in results if code != 0]
    assert failures == []
    keys = {json.loads(out)["AccessKeyId"] for _code, out, _err, _took in results}
    assert len(keys) == 1
    assert sts_calls["AssumeRole"] == 1


def test_a_source_whose_credential_process_runs_the_same_target_fails_at_once(home, moto, sts_calls):
    loop = f"[profile loop]\ncredential_process = {sys.executable} -m roleswitch credential-process admin\n\n"
    setup(home, moto, source="loop", extra=loop)
    began = time.monotonic()
    process = start("credential-process", "admin")
    out, err = process.communicate(timeout=60)
    took = time.monotonic() - began
    assert took < 5, f"took {took:.1f}s: {err}"
    assert process.returncode == 1 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "credential-process admin needs its own credentials to get them" in err
    assert "admin -> admin" in err
    assert err.startswith("roleswitch: The credential_process of source profile 'loop' failed: ")
    assert sts_calls["AssumeRole"] == 0


def test_the_copied_fetch_bound_is_the_sts_deadline():
    assert Timeouts().deadline == credential_process.FETCH_SECONDS


def test_a_cache_hit_imports_neither_boto3_nor_the_sts_module(home, moto, sts_calls):
    """credential-process runs for every client an SDK builds: a hit must stay cheap."""
    setup(home, moto, duration=3600)
    first = start("credential-process", "admin")
    assert first.communicate(timeout=60)[0]
    probe = (
        "import sys; from roleswitch.cli import main; code = main(['credential-process', 'admin']); "
        "print(code, 'boto3' in sys.modules, 'roleswitch.core.sts' in sys.modules, file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=os.environ.copy()
    )
    assert done.stderr.strip() == "0 False False", done.stderr
    assert sts_calls["AssumeRole"] == 1
