"""Row 22: peak memory at 10,000 targets after typing ten queries, against the one-label app.

    python -m benchmarks.memory_typed typed roleswitch|minimal    peak memory (KB) on stdout

Row 8 measures the peak at the first frame; what the filter and the list remember per
query comes after it. Both sides get the same keys (ten queries, each typed one key at
a time and then deleted back to the empty box; the one-label app has nowhere to type,
so the keys do nothing there), each key waiting for the app to be idle, as a person's
would. The process then prints its peak resident memory (VmHWM); the parent
alternates the two sides and compares medians.
"""

from __future__ import annotations

import sys

KINDS = ("minimal", "roleswitch")
QUERIES = (
    "team 00",
    "adm",
    "a1 dev",
    "ops 12",
    "data",
    "billing 3",
    "support",
    "net 07",
    "acct4 read",
    "t 9",
)


def keys() -> list[str]:
    """Each query typed, then deleted key by key."""
    return [key for query in QUERIES for key in [*query, *["backspace"] * len(query)]]


def typed(kind: str) -> None:
    from benchmarks.tui import SIZE, peak_memory_kb, run

    listed: list[int] = []

    async def type_queries(pilot) -> None:
        await pilot.pause()
        for key in keys():
            await pilot.press("space" if key == " " else key)
        targets = getattr(pilot.app, "targets", None)
        listed.append(targets.total if targets is not None else 0)
        pilot.app.exit()

    run(kind, headless=True, size=SIZE, auto_pilot=type_queries)
    print(listed[0], peak_memory_kb())


def run(bench) -> None:
    """Row 22, in the parent: both sides alternating, medians of the peaks."""
    from benchmarks.__main__ import median, run_process

    print("22. peak memory after typing ten queries, against the one-label app", flush=True)
    env = bench.env(10000, BENCH_TERMINAL="120x40")
    peaks: dict[str, list[int]] = {kind: [] for kind in KINDS}
    listed = 0
    for _ in range(bench.runs(5, 1)):
        for kind in KINDS:
            out = run_process(
                [sys.executable, "-m", "benchmarks.memory_typed", "typed", kind], env, capture=True
            )
            count, peak = out.split()[-2:]
            peaks[kind].append(int(peak))
            listed = max(listed, int(count))
    base_mb, ours_mb = median(peaks["minimal"]) / 1024, median(peaks["roleswitch"]) / 1024
    bench.record(
        22,
        "peak memory after typing ten queries, 10,000 targets",
        f"{ours_mb:.1f} MB vs one-label app {base_mb:.1f} MB",
        ours_mb / base_mb,
        "<= 1.5x",
        ours_mb / base_mb <= 1.5,
        targets=listed,
        queries=len(QUERIES),
        peaks_kb=peaks,
    )


if __name__ == "__main__":
    if sys.argv[1] == "typed" and sys.argv[2] in KINDS:
        typed(sys.argv[2])
    else:
        raise SystemExit(f"usage: python -m benchmarks.memory_typed typed {'|'.join(KINDS)}")
