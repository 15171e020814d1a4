"""Row 15: `roleswitch assume` at 10,000 targets against the same at 3 targets.

Both sides are whole processes against moto's STS server, assuming the same role
(`acct0-admin`) with the same source profile (`corp`, long-term keys in the
credentials file); only the size of the AWS files differs (benchmarks/org.py:
5,000 role profiles in the config and 10,000 sections in the credentials file).
A bare boto3 script at 10,000 targets is shown beside it, since that is what the
row frees roleswitch from: botocore parsing both whole files for each session.

The app's Enter runs the same `StsClient.assume` in a worker; it is measured in
this process, on each home's catalogue, alternating sizes, once the files are at rest
(file_identity's SETTLED_NS after the processes' last write).
"""

from __future__ import annotations

import sys

from benchmarks.org import account_id

BIG, SMALL = 10_000, 3
BOUND = 1.2


def run(bench) -> None:
    from benchmarks.__main__ import alternate, median, ms, run_process

    print("15. assume at 10,000 targets against the same at 3 (moto's STS server)", flush=True)
    role_arn = f"arn:aws:iam::{account_id(0)}:role/Admin"
    assume = [str(bench.script), "assume", "acct0-admin", "--profile", "bench-out"]
    boto3_script = [
        sys.executable,
        "-c",
        "import boto3; boto3.Session(profile_name='corp').client('sts').assume_role("
        f"RoleArn='{role_arn}', RoleSessionName='bench')",
    ]
    rounds = bench.runs(9, 3)
    times: dict[str, list[float]] = {"3": [], "10000": [], "boto3": []}
    for _ in range(rounds):  # alternate the sizes, one process at a time
        for size, command, key in (
            (SMALL, assume, "3"),
            (BIG, assume, "10000"),
            (BIG, boto3_script, "boto3"),
        ):
            env = bench.env(size)
            if not times[key]:
                run_process(command, env)  # warm: bytecode, the catalogue cache a real run leaves
            times[key].extend(alternate({key: command}, env, 1)[key])
    small, big, boto3_big = median(times["3"]), median(times["10000"]), median(times["boto3"])
    enter_small, enter_big = _enter(bench, rounds)
    ratio = max(big / small, enter_big / enter_small)
    bench.record(
        15,
        "assume at 10,000 targets vs 3 (whole process, and the app's Enter)",
        f"process {ms(big)} vs {ms(small)}; Enter {ms(enter_big)} vs {ms(enter_small)}; "
        f"bare boto3 at 10,000 {ms(boto3_big)}",
        ratio,
        f"<= {BOUND}x",
        ratio <= BOUND,
        process_ratio=round(big / small, 3),
        enter_ratio=round(enter_big / enter_small, 3),
        boto3_10000_s=boto3_big,
    )


def _enter(bench, rounds: int) -> tuple[float, float]:
    """Seconds of `StsClient.assume` (what Enter runs in the app's worker) at each size."""
    import os
    import time

    from benchmarks.__main__ import alternate_calls, median
    from roleswitch.core.catalogue import load_catalogue
    from roleswitch.core.file_identity import SETTLED_NS
    from roleswitch.core.sts import StsClient

    actions = {}
    for size in (SMALL, BIG):
        env = bench.env(size)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            catalogue = load_catalogue()
            target = next(t for t in catalogue.targets if t.name == "acct0-admin")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        actions[size] = _in_environment(env, target, catalogue.settings, StsClient())
    # The processes above just wrote each home's credentials file; a person's Enter comes
    # on files at rest, which roleswitch remembers the source's sections of (file_identity).
    time.sleep(SETTLED_NS / 1e9 + 0.1)
    for action in actions.values():
        action()  # warm: imports, botocore's service data
    times = alternate_calls(actions, rounds * 2)
    return median(times[SMALL]), median(times[BIG])


def _in_environment(env: dict[str, str], target, settings, client):
    import os

    def action() -> None:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(env)
        try:
            client.assume(target, settings=settings)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    return action
