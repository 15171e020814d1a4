"""Rows 17, 18 and 19: what a prompt, an SDK and a restart after an edit pay.

17 (`--only credential-process`): `roleswitch credential-process` answered from its
   cache, as a whole process, at 3 and at 10,000 targets, against `python -c pass`.
18 (`--only status-settings`): `roleswitch status` with `active_profile` set in the
   TOML (and `status --short`), 10,000 targets, against `python -c pass`.
19 (`--only start-after-edit`): the first frame at 10,000 targets when a section was
   added to the credentials file since the last start (as `assume` of a new profile
   or another tool does), against the one-label app. For comparison it also prints
   the first frame after a config edit (a cold catalogue cache).

The role credentials are put into roleswitch's cache directly (no STS call): the row
measures the answer from the cache, not a fetch.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TARGET = "acct0-admin"


def _settle(home: Path) -> None:
    """Wait until the org's files are old enough to be remembered against (file_identity)."""
    from roleswitch.core.file_identity import SETTLED_NS

    newest = max(path.stat().st_ctime_ns for path in (home / ".aws").iterdir())
    newest = max(newest, (home / "roleswitch.toml").stat().st_ctime_ns)
    wait = (newest + SETTLED_NS) / 1e9 - time.time() + 0.1
    if wait > 0:
        time.sleep(wait)


def _cache_role_credentials(home: Path) -> None:
    """A fresh hour of credentials for TARGET in the org's cache, as a fetch leaves them."""
    from roleswitch.core.catalogue import load_catalogue
    from roleswitch.core.model import Credentials
    from roleswitch.core.role_cache import RoleCredentialsCache

    catalogue = load_catalogue(
        home / ".aws" / "config", home / "roleswitch.toml", home / ".aws" / "credentials"
    )
    target = catalogue.find(TARGET)
    assert target is not None
    now = datetime.now(UTC)
    credentials = Credentials("ASIABENCHFASTPATH001", "bench-secret", "bench-token", now + timedelta(hours=1))
    RoleCredentialsCache(home / ".cache" / "roleswitch").put(target, catalogue.settings, credentials, now)


def credential_process(bench) -> None:
    from benchmarks.__main__ import median, ms, run_process

    print("17. credential-process answered from its cache, as a whole process", flush=True)
    homes = {size: bench.org(size) for size in (3, 10000)}
    for home in homes.values():
        _cache_role_credentials(home)
    for home in homes.values():
        _settle(home)
    command = [str(bench.script), "credential-process", TARGET]
    for size in homes:
        run_process(command, bench.env(size))  # the full path, which leaves the hint
    sides = {
        "python -c pass": ([sys.executable, "-c", "pass"], bench.env(3)),
        "3 targets": (command, bench.env(3)),
        "10,000 targets": (command, bench.env(10000)),
    }
    times = _alternate(sides, bench.runs(40, 15))
    base, small, big = (median(times[name]) for name in sides)
    bench.record(
        17,
        "`credential-process` cache hit, 10,000 targets",
        f"{ms(big)} vs `python -c pass` {ms(base)}",
        big / base,
        "<= 2.5x",
        big / base <= 2.5,
    )
    bench.record(
        17,
        "`credential-process` cache hit, 10,000 vs 3 targets",
        f"{ms(big)} at 10,000 vs {ms(small)} at 3",
        big / small,
        "<= 1.1x",
        big / small <= 1.1,
    )


def _alternate(sides: dict[str, tuple[list[str], dict[str, str]]], rounds: int) -> dict[str, list[float]]:
    """Wall seconds of each side's process, `rounds` times, interleaved; each its own environment."""
    times: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, (command, env) in sides.items():
            began = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, timeout=60)
            times[name].append(time.perf_counter() - began)
            if done.returncode != 0:
                raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[-2000:]!r}")
    return times


def status_settings(bench) -> None:
    from benchmarks.__main__ import alternate, median, ms

    print("18. status with active_profile set in the TOML, as a whole process", flush=True)
    home = bench.work / "org-status-settings"
    shutil.copytree(bench.org(10000), home)
    toml = home / "roleswitch.toml"
    toml.write_text(toml.read_text().replace("[settings]\n", '[settings]\nactive_profile = "default"\n', 1))
    _settle(home)
    from benchmarks.org import org_environment

    env = org_environment(home)
    sides = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "status": [str(bench.script), "status"],
        "status --short": [str(bench.script), "status", "--short"],
    }
    subprocess.run(sides["status"], env=env, capture_output=True, timeout=60)  # reads the TOML once
    times = alternate(sides, env, bench.runs(40, 15))
    base = median(times["python -c pass"])
    worst = max(median(times["status"]), median(times["status --short"]))
    bench.record(
        18,
        "`roleswitch status` with `active_profile` in the TOML, 10,000 targets",
        f"{ms(median(times['status']))} (--short {ms(median(times['status --short']))}) "
        f"vs `python -c pass` {ms(base)}",
        worst / base,
        "<= 3x",
        worst / base <= 3,
    )


def start_after_edit(bench) -> None:
    from benchmarks.__main__ import median, ms, start_command

    print("19. first frame at 10,000 targets after a credentials-file edit", flush=True)
    home = bench.work / "org-start-after-edit"
    shutil.copytree(bench.org(10000), home)
    from benchmarks.org import org_environment

    env = org_environment(home)
    env["BENCH_TERMINAL"] = "120x40"
    credentials, config = home / ".aws" / "credentials", home / ".aws" / "config"
    for kind in ("minimal", "roleswitch"):
        _first_frame(start_command(kind), env)  # warm: bytecode and the catalogue cache

    def add_section(number: int) -> None:
        with credentials.open("a") as file:
            file.write(
                f"\n[bench-added-{number}]\naws_access_key_id = ASIAADDED\naws_secret_access_key = x\n"
            )

    def edit_config(number: int) -> None:
        with config.open("a") as file:
            file.write(f"\n# bench edit {number}\n")

    times: dict[str, list[float]] = {"minimal": [], "after a credentials edit": [], "after a config edit": []}
    edits = {"after a credentials edit": add_section, "after a config edit": edit_config}
    for number in range(bench.runs(12, 4)):
        times["minimal"].append(_first_frame(start_command("minimal"), env))
        for name, edit in edits.items():
            edit(number)
            times[name].append(_first_frame(start_command("roleswitch"), env))
    base = median(times["minimal"])
    ours = median(times["after a credentials edit"])
    cold = median(times["after a config edit"])
    print(f"     (after a config edit, cold: {ms(cold)}, {cold / base:.2f}x the one-label app)")
    bench.record(
        19,
        "TUI first frame after a credentials-file edit, 10,000 targets",
        f"{ms(ours)} vs minimal app {ms(base)} (after a config edit, cold: {ms(cold)})",
        ours / base,
        "<= 1.5x",
        ours / base <= 1.5,
        cold_ratio=round(cold / base, 2),
    )


def _first_frame(command: list[str], env: dict[str, str]) -> float:
    spawned = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    listed, frame_at, _peak = done.stdout.split()[-3:]
    if "roleswitch" in command and int(listed) < 10000:
        raise SystemExit(f"the first frame listed {listed} targets, not the organisation's 10,000")
    return float(frame_at) - spawned
