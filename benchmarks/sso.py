"""Rows 13 and 14: IAM Identity Center discovery, and the first frame with a warm discovery cache.

13. `roleswitch.core.sso.discovery.discover` against the local Identity Center
    (roleswitch.local.identity_center) serving 2,000 accounts x 5 roles, with 30 ms
    added to every call, as a portal far away would. The target is absolute (<= 15 s);
    the ratio is against the least those calls can take at discovery's concurrency:
    one latency per account's role listing, `WORKERS` at a time, plus one for the
    first account page.
14. The app's start to its first frame, as row 2 measures it, on a home whose only
    targets are 10,000 discovered SSO roles (an `[sso-session]` and its discovery cache
    file, as the last sign-in left them). The row checks how many targets the app
    listed, so a catalogue that does not read the cache cannot pass it.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

ACCOUNTS = 2000
ROLES = 5
LATENCY = 0.030
TARGET_SECONDS = 15.0
QUICK_ACCOUNTS = 500  # --quick: a quarter of the accounts, judged against a quarter of the time
SMOKE_ACCOUNTS = 100  # --smoke: enough for every discovery worker to list several accounts
START_URL = "https://bench.awsapps.com/start"
SESSION = "bench"
FIRST_FRAME_TARGETS = 10_000
FIRST_FRAME_BOUND = 1.5  # row 2's target


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def discovery(bench) -> None:
    from roleswitch.core.sso.config import DEFAULT_SCOPES, SsoSession
    from roleswitch.core.sso.discovery import WORKERS, discover
    from roleswitch.core.sso.token_cache import SsoToken
    from roleswitch.local.identity_center import IdentityCenter, generated_organisation

    accounts = SMOKE_ACCOUNTS if bench.smoke else QUICK_ACCOUNTS if bench.quick else ACCOUNTS
    target = TARGET_SECONDS * accounts / ACCOUNTS
    print(
        f"13. SSO discovery of {accounts:,} accounts x {ROLES} roles, {LATENCY * 1000:.0f} ms per call",
        flush=True,
    )
    center = IdentityCenter(generated_organisation(accounts, ROLES), latency=LATENCY)
    with center, _environment(center.environment()):
        session = SsoSession(SESSION, center.start_url, center.region, DEFAULT_SCOPES, "aws-config")
        access, _ = center.issue_token()
        token = SsoToken(center.start_url, center.region, access, datetime.now(UTC) + timedelta(hours=8))
        times, calls = [], []
        for _ in range(bench.runs(3, 1)):
            center.reset_calls()
            began = time.perf_counter()
            found = discover(session, token=token)
            times.append(time.perf_counter() - began)
            calls.append(sum(center.calls.values()))
            if found.role_count != accounts * ROLES:
                raise SystemExit(f"discovery found {found.role_count} roles, not {accounts * ROLES}")
    seconds = statistics.median(times)
    rate = statistics.median([n / t for n, t in zip(calls, times, strict=True)])
    floor = LATENCY * (math.ceil(accounts / WORKERS) + 1)
    bench.record(
        13,
        f"SSO discovery, {accounts:,} accounts x {ROLES} roles, {LATENCY * 1000:.0f} ms per call",
        f"{seconds:.1f} s, {rate:.0f} calls/s ({calls[0]:,} calls) vs the latency alone at "
        f"{WORKERS} at a time {floor:.1f} s",
        seconds / floor,
        f"<= {target:.2f} s" if bench.quick else f"<= {TARGET_SECONDS:.0f} s",
        seconds <= target,
        seconds=round(seconds, 2),
        calls_per_second=round(rate),
        accounts=accounts,
    )


def write_sso_home(home: Path) -> Path:
    """A home whose only targets are FIRST_FRAME_TARGETS discovered roles, cached."""
    from benchmarks.org import write_org
    from roleswitch.core.sso.config import DEFAULT_SCOPES, SsoSession
    from roleswitch.core.sso.discovery import DiscoveredAccount, Discovery, DiscoveryCache

    write_org(home, 0)
    with (home / ".aws" / "config").open("a") as config:
        config.write(
            f"\n[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = eu-west-1\n"
            "sso_registration_scopes = sso:account:access\n"
        )
    session = SsoSession(SESSION, START_URL, "eu-west-1", DEFAULT_SCOPES, "aws-config")
    roles = tuple(f"Role{r:02d}" for r in range(ROLES))
    found = Discovery(
        session.name,
        session.start_url,
        datetime.now(UTC).replace(microsecond=0),
        tuple(
            DiscoveredAccount(f"{200000000000 + n:012d}", f"team-{n:04d}", roles)
            for n in range(FIRST_FRAME_TARGETS // ROLES)
        ),
    )
    # Where the app looks: HOME's cache folder (the benchmark environment sets no XDG/ROLESWITCH
    # variable).
    if not DiscoveryCache(home / ".cache" / "roleswitch").save(found):
        raise SystemExit(f"could not write the discovery cache in {home}")
    return home


def first_frame(bench) -> None:
    from benchmarks.__main__ import _write_active_session, ms, run_process
    from benchmarks.org import org_environment

    print(
        f"14. TUI start to first frame, {FIRST_FRAME_TARGETS:,} discovered SSO targets (cached)", flush=True
    )
    home = write_sso_home(bench.work / "sso-home")
    _write_active_session(home)
    env = {**org_environment(home), "BENCH_TERMINAL": "120x40"}
    listed = 0
    for kind in ("minimal", "roleswitch"):  # warm: bytecode, and the catalogue cache a real start leaves
        out = run_process([sys.executable, "-m", "benchmarks.tui", "start", kind], env, capture=True)
        if kind == "roleswitch":
            listed = int(out.split()[0])
    times, _ = bench.first_frames(env)
    base, ours = statistics.median(times["minimal"]), statistics.median(times["roleswitch"])
    ratio = ours / base
    measured = f"{ms(ours)} vs minimal app {ms(base)}, {listed:,} targets listed"
    if listed != FIRST_FRAME_TARGETS:
        measured += f" (expected {FIRST_FRAME_TARGETS:,}: the catalogue did not read the discovery cache)"
    bench.record(
        14,
        f"TUI start to first full frame, {FIRST_FRAME_TARGETS:,} discovered SSO targets (warm cache)",
        measured,
        ratio,
        f"<= {FIRST_FRAME_BOUND}x (row 2's), all {FIRST_FRAME_TARGETS:,} listed",
        ratio <= FIRST_FRAME_BOUND and listed == FIRST_FRAME_TARGETS,
        targets=listed,
    )
