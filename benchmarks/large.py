"""Row 26 (`--only start-100k`): the first frame at 100,000 targets, warm, against the
one-label app (issue 17, target 7: "at 100,000 targets warm <= 2x").

The organisation is the benchmarks' usual one (benchmarks.org) at ten times row 2's size:
50,000 role profiles in ~/.aws/config, 50,000 roles in the TOML, a credentials file with
a section per target and the active session. The first start fills the catalogue cache
(cold: printed for comparison, not judged); the row alternates warm starts of both sides,
as row 2 does. It is not part of a run with --quick unless named in --only: writing and
first reading 100,000 targets takes longer than the rest of a quick run's rows.
"""

from __future__ import annotations

import subprocess
import time

SIZE = 100_000
BOUND = 2.0


def _start(kind: str, env: dict[str, str]) -> tuple[int, float]:
    """(targets listed, seconds from spawn to the first frame) of one start."""
    from benchmarks.__main__ import start_command

    command = start_command(kind)
    spawned = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    listed, frame_at, _peak = done.stdout.split()[-3:]
    return int(listed), float(frame_at) - spawned


def run(bench) -> None:
    from benchmarks.__main__ import median, ms

    print(f"26. TUI first frame at {SIZE:,} targets, warm", flush=True)
    env = bench.env(SIZE, BENCH_TERMINAL="120x40")
    _start("minimal", env)  # warm: bytecode
    listed, cold = _start("roleswitch", env)  # fills the catalogue cache
    if listed != SIZE:
        raise SystemExit(f"the first frame listed {listed:,} targets, not {SIZE:,}")
    times: dict[str, list[float]] = {"minimal": [], "roleswitch": []}
    for _ in range(bench.runs(12, 4)):
        for kind in times:
            listed, seconds = _start(kind, env)
            if kind == "roleswitch" and listed != SIZE:
                raise SystemExit(f"the first frame listed {listed:,} targets, not {SIZE:,}")
            times[kind].append(seconds)
    base, ours = median(times["minimal"]), median(times["roleswitch"])
    ratio = ours / base
    bench.record(
        26,
        f"TUI start to first full frame, {SIZE:,} targets (warm cache)",
        f"{ms(ours)} vs minimal app {ms(base)} (the first start, filling the cache: {ms(cold)})",
        ratio,
        f"<= {BOUND:.0f}x",
        ratio <= BOUND,
        targets=SIZE,
        cold_s=round(cold, 3),
    )
