"""Row 20: event-loop stalls during a scripted session, 10,000 targets against 3.

    python -m benchmarks.stalls session     one scripted session, JSON on stdout

The harness process runs roleswitch exactly as `roleswitch` starts it (headless,
`auto_pilot`). Once the first frame is up it starts a heartbeat on the app's event
loop (a 2 ms sleep, again and again): a stall is how much later than asked a
heartbeat woke, the time nothing else could run on the loop, whatever held it (the
app's own work, or a worker thread holding the interpreter, as a garbage collection
does). Then the script does what a person does: types queries into the filter,
opens the command palette and types, assumes the highlighted role (STS is moto's
server, as for the other assume rows), renews it, resizes the terminal. Each
garbage collection of the generation the collector walks last is timed beside it.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import os
import sys
import time

SIZE = tuple(int(n) for n in os.environ.get("BENCH_TERMINAL", "120x40").split("x"))
BEAT = 0.002
FRAME = 1 / 60
QUERIES = ("team 00", "adm", "ops 12")
PALETTE_QUERIES = ("assume team adm", "acct1-dev")


def session() -> None:
    from benchmarks.tui import peak_memory_kb, run

    results: dict = {}
    full: list[float] = []  # seconds, each full collection
    started: list[float] = []

    def timed_collection(phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started.append(time.perf_counter())
        elif started:
            full.append(time.perf_counter() - started.pop())

    gc.callbacks.append(timed_collection)

    async def script(pilot) -> None:
        app = pilot.app
        await pilot.pause()  # the first frame is up: start-up is row 2's
        stalls: list[float] = []
        beating = True

        async def heartbeat() -> None:
            while beating:
                asked = time.perf_counter()
                await asyncio.sleep(BEAT)
                stalls.append(time.perf_counter() - asked - BEAT)

        steps: dict[str, int] = {}

        def mark(name: str) -> None:
            steps[name] = len(stalls)

        beat = asyncio.create_task(heartbeat())
        mark("settle")
        await asyncio.sleep(float(os.environ.get("BENCH_SETTLE", "0.6")))  # the app settles in

        async def type_text(text: str) -> None:
            for key in text:
                await pilot.press("space" if key == " " else key)
                await asyncio.sleep(0.03)  # a fast typist

        mark("filter")
        for query in QUERIES:
            await type_text(query)
            await pilot.press(*["backspace"] * len(query))
        mark("palette")
        await pilot.press("ctrl+p")
        await asyncio.sleep(0.3)
        for query in PALETTE_QUERIES:
            await type_text(query)
            await pilot.press(*["backspace"] * len(query))
        await pilot.press("escape")
        await asyncio.sleep(0.2)
        mark("assume")
        before = app.session.target_name if app.session else None
        await pilot.press("escape")  # from the filter to the list
        await pilot.press("down", "enter")
        await asyncio.sleep(float(os.environ.get("BENCH_ASSUME_WAIT", "2.0")))
        mark("renew")
        assumed = app.session.target_name if app.session else None
        await pilot.press("ctrl+r")
        await asyncio.sleep(float(os.environ.get("BENCH_ASSUME_WAIT", "2.0")))
        mark("resize")
        for size in ((80, 24), (160, 50), SIZE):
            await pilot.resize_terminal(*size)
            await asyncio.sleep(0.2)
        mark("end")
        beating = False
        await beat
        results.update(
            stalls=stalls,
            steps=steps,
            full_collections=full,
            targets=app.targets.total,
            sessions=[before, assumed],  # the assume replaced the one the organisation starts with
            freeze_count=gc.get_freeze_count(),
            peak_kb=peak_memory_kb(),  # row 8's measure, after the whole session
        )
        app.exit()

    run("roleswitch", headless=True, size=SIZE, auto_pilot=script)
    print(json.dumps(results))


def summary(data: dict) -> dict:
    """The longest stall, the counts over a frame and over 50 ms, and the longest stall of each step."""
    stalls = data["stalls"]
    bounds = sorted(data["steps"].items(), key=lambda item: item[1])
    by_step = {
        name: max(stalls[start:end], default=0.0) for (name, start), (_, end) in itertools.pairwise(bounds)
    }
    return {
        "longest": max(stalls),
        "over_frame": sum(s > FRAME for s in stalls),
        "over_50ms": sum(s > 0.05 for s in stalls),
        "longest_by_step": by_step,
        "longest_full_collection": max(data["full_collections"], default=0.0),
        "full_collections": len(data["full_collections"]),
        "peak_mb": data["peak_kb"] / 1024,
    }


def run(bench) -> None:
    """Row 20, for `python -m benchmarks --only stalls`."""
    from benchmarks.__main__ import median, ms, run_process, start_moto

    print(
        "20. event-loop stalls during a scripted session (type, palette, assume, renew, resize)", flush=True
    )
    server = None
    if not bench.moto_url:
        server = start_moto()
        bench.moto_url = server[1]
    try:
        runs: dict[int, list[dict]] = {3: [], 10000: []}
        for _ in range(bench.runs(3, 1)):  # whole sessions alternate; medians are kept
            for size in (3, 10000):
                out = run_process(
                    [sys.executable, "-m", "benchmarks.stalls", "session"], bench.env(size), capture=True
                )
                runs[size].append(summary(json.loads(out)))
    finally:
        if server is not None:
            server[0].stop()
            bench.moto_url = ""
    small, big = (
        {k: median([r[k] for r in rs]) for k in ("longest", "over_frame", "over_50ms")}
        for rs in (runs[3], runs[10000])
    )
    bench.record(
        20,
        "event-loop stalls during a scripted session at 10,000 targets "
        "(type, palette, assume, renew, resize)",
        f"longest {ms(big['longest'])}, {big['over_frame']:g} over 16.7 ms, "
        f"{big['over_50ms']:g} over 50 ms at 10,000 vs longest {ms(small['longest'])}, "
        f"{small['over_frame']:g} over 16.7 ms, "
        f"{small['over_50ms']:g} over 50 ms at 3 (medians of {len(runs[3])} sessions each)",
        big["longest"] / small["longest"],
        "no stall over 50 ms",
        big["over_50ms"] == 0 and all(r["longest"] <= 0.05 for r in runs[10000]),
        sessions={str(size): rs for size, rs in runs.items()},
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["session"]:
        session()
    else:
        raise SystemExit(f"unknown action {' '.join(sys.argv[1:])}")
