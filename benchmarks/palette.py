"""Row 16: the command palette's work per keystroke, 10,000 targets against 100.

    python -m benchmarks.palette keys     keystroke costs in the palette, JSON on stdout

The harness process runs roleswitch exactly as `roleswitch` starts it (headless,
`auto_pilot`), opens the palette with ctrl+p and types queries into it, each one
key at a time and then deleted back to the empty palette. Like row 3, a key goes
straight to the driver's queue (Pilot's own waits would swamp the measurement)
and the clock stops at the first frame handed to the driver after the palette
put the key's results in its list, once the palette's search for that key has
ended. `work` is the CPU time of the app's thread over that span: the cost of
the keystroke, which must fit in one 60 Hz frame. `collector` is how much of each
span the garbage collector took (a full collection walks every object, 10,000
targets' included), reported beside it: that is the start-up's to tune, not
the palette's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import os
import sys
import time

SIZE = tuple(int(n) for n in os.environ.get("BENCH_TERMINAL", "120x40").split("x"))

# What people type into the palette: a verb and a target, a target alone, several words.
QUERIES = ("assume team 0", "adm", "sdk acct1", "assume team adm", "ops", "acct1-dev")


def keys_for(queries: tuple[str, ...]) -> list[str]:
    """Each query typed one key at a time, then deleted one key at a time."""
    return [key for query in queries for key in [*query, *["backspace"] * len(query)]]


def palette_keystrokes() -> None:
    from textual import events
    from textual.command import CommandList, CommandPalette

    from benchmarks.tui import run

    results: dict = {}
    queries = tuple(os.environ.get("BENCH_PALETTE_QUERIES", "|".join(QUERIES)).split("|"))
    keys = keys_for(queries)

    collections: list[tuple[float, float]] = []  # (start, end) of each collection, perf_counter

    def timed_collection(phase: str, _info: dict) -> None:
        if phase == "start":
            collections.append((time.perf_counter(), 0.0))
        elif collections:
            collections[-1] = (collections[-1][0], time.perf_counter())

    gc.callbacks.append(timed_collection)

    async def type_keys(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await asyncio.sleep(float(os.environ.get("BENCH_SETTLE", "0.5")))  # people type after the first frame
        frames: list[tuple[float, float]] = []
        painted = asyncio.Event()
        display = app._display

        def timed_display(screen, renderable) -> None:
            display(screen, renderable)
            frames.append((time.perf_counter(), time.thread_time()))
            painted.set()

        app._display = timed_display
        begin, begin_cpu = time.perf_counter(), time.thread_time()
        app._driver.send_message(events.Key("ctrl+p", None))
        while not isinstance(app.screen, CommandPalette):
            await asyncio.sleep(0.005)
        palette = app.screen
        while not palette.query(CommandList):  # pushed, not yet composed
            await asyncio.sleep(0.005)
        command_list = palette.query_one(CommandList)
        applied: list[float] = []
        add_options = command_list.add_options

        def timed_add_options(options):
            result = add_options(options)
            applied.append(time.perf_counter())
            return result

        command_list.add_options = timed_add_options  # type: ignore[method-assign]

        def searching() -> bool:
            return any(
                not worker.is_finished for worker in palette.workers if "gather" in (worker.group or "")
            )

        async def results_painted() -> tuple[float, float]:
            """When the first frame after the key's results went into the list was painted."""
            while True:
                if applied and not searching():
                    after = [(t, c) for t, c in frames if t >= applied[-1]]
                    if after:
                        return after[0]
                painted.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(painted.wait(), 0.05)

        while not command_list.option_count or searching():  # the first results, all of them
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.1)  # and their frame
        done, done_cpu = next((t, c) for t, c in reversed(frames) if t <= time.perf_counter() - 0.1)
        spent = sum(end - start for start, end in collections if begin <= start and end <= done)
        results["open"] = {"latency": done - begin, "work": done_cpu - begin_cpu, "collector": spent}
        times: list[float] = []
        work: list[float] = []
        collector: list[float] = []
        shown: list[int] = []
        for key in keys:
            frames.clear()
            applied.clear()
            character = key if len(key) == 1 else None
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            app._driver.send_message(events.Key(key if key != " " else "space", character))
            done, done_cpu = await results_painted()
            times.append(done - begin)
            work.append(done_cpu - begin_cpu)
            collector.append(sum(end - start for start, end in collections if begin <= start and end <= done))
            shown.append(command_list.option_count)
            await asyncio.sleep(0.03)  # let the frame settle, as a person typing would
        app._display = display
        results.update(
            latencies=times, work=work, collector=collector, keys=keys, shown=shown, targets=app.targets.total
        )
        app.exit()

    run("roleswitch", headless=True, size=SIZE, auto_pilot=type_keys)
    print(json.dumps(results))


def run(bench) -> None:
    """Row 16, for `python -m benchmarks --only palette`."""
    from benchmarks.__main__ import FRAME_60HZ, ms, run_process

    print("16. command palette keystroke to painted results", flush=True)
    runs: dict[int, list[dict]] = {100: [], 10000: []}
    extra = {"BENCH_TERMINAL": "120x40"}
    if bench.quick:
        extra["BENCH_PALETTE_QUERIES"] = "assume team adm|acct1-dev"
    for _ in range(bench.runs(3, 1)):  # whole runs alternate; the median p95 is kept
        for size in (100, 10000):
            out = run_process(
                [sys.executable, "-m", "benchmarks.palette", "keys"], bench.env(size, **extra), capture=True
            )
            runs[size].append(json.loads(out))
    small, big = summary(runs[100]), summary(runs[10000])
    ratio = big["work"] / small["work"]
    bench.record(
        16,
        "palette keystroke work at 10,000 vs 100 targets: p95 of the app's work until the results are "
        "painted (120x40)",
        f"{ms(big['work'])} at 10,000 vs {ms(small['work'])} at 100 (without the garbage collector's "
        f"{big['collected']} full walks: {ms(big['work_no_gc'])} vs {ms(small['work_no_gc'])}; wall p95 "
        f"{ms(big['latency'])} vs {ms(small['latency'])}; opening the palette {ms(big['open'])} of work)",
        ratio,
        "<= 1.5x and < 16.7 ms",
        ratio <= 1.5 and big["work"] < FRAME_60HZ,
        keys=sum(len(d["work"]) for d in runs[10000]),
        work_p95_s={"100": small["work"], "10000": big["work"]},
    )


def summary(datas: list[dict]) -> dict:
    """Medians over the runs of each run's p95s; `collected`: keys that paid for a collection
    of over 5 ms (a full one), over all runs."""
    from benchmarks.__main__ import median, p95

    return {
        "work": median([p95(d["work"]) for d in datas]),
        "work_no_gc": median(
            [p95([w - c for w, c in zip(d["work"], d["collector"], strict=True)]) for d in datas]
        ),
        "latency": median([p95(d["latencies"]) for d in datas]),
        "open": median([d["open"]["work"] for d in datas]),
        "collected": sum(c > 0.005 for d in datas for c in d["collector"]),
    }


if __name__ == "__main__":
    if sys.argv[1:] == ["keys"]:
        palette_keystrokes()
    else:
        raise SystemExit(f"unknown action {' '.join(sys.argv[1:])}")
