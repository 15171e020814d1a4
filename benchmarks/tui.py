"""Harness processes for the TUI measurements; run by `python -m benchmarks`.

    python -m benchmarks.tui start roleswitch|minimal     first full frame, then exit
    python -m benchmarks.tui idle roleswitch|minimal N    sit idle for N seconds, ticking
    python -m benchmarks.tui filter                       keystroke latencies, JSON on stdout

Both apps run the same way (`App.run(headless=True, auto_pilot=...)`), so the
ratios measure what roleswitch adds, not the harness. HOME and the AWS
variables come from the parent, which points them at a synthetic organisation.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

SIZE = tuple(int(n) for n in os.environ.get("BENCH_TERMINAL", "80x24").split("x"))


def minimal_app():
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Minimal(App[None]):
        """The baseline: one label, updated once a second."""

        def compose(self) -> ComposeResult:
            yield Label(time.strftime("%H:%M:%S"), id="clock")

        def on_mount(self) -> None:
            self.set_interval(1.0, self.tick)

        def tick(self) -> None:
            self.query_one("#clock", Label).update(time.strftime("%H:%M:%S"))

    return Minimal()


def run(kind: str, **run_options) -> None:
    """Run one side; roleswitch exactly as `roleswitch` starts it (`launch`)."""
    if kind == "roleswitch":
        from roleswitch.ui.launch import launch

        launch(**run_options)
    else:
        minimal_app().run(**run_options)


def start(kind: str) -> None:
    """Print how many targets the first frame lists (0 for the minimal app), when it was up
    (CLOCK_MONOTONIC, which the parent shares) and the peak memory: start-up ends at the
    first frame, not at the process's exit."""
    shown: list[float] = []
    listed: list[int] = []

    async def first_frame(pilot) -> None:
        await pilot.pause()  # mounted, laid out and painted
        shown.append(time.monotonic())
        targets = getattr(pilot.app, "targets", None)
        listed.append(targets.total if targets is not None else 0)
        pilot.app.exit()

    run(kind, headless=True, size=SIZE, auto_pilot=first_frame)
    print(listed[0], shown[0], peak_memory_kb())


def peak_memory_kb() -> int:
    """This process's peak resident memory (VmHWM), which, unlike the rusage of a child,
    does not count the parent's pages shared before exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def idle(kind: str, seconds: float) -> None:
    async def sit(pilot) -> None:
        await pilot.pause()
        print("ready", flush=True)
        await asyncio.sleep(seconds)
        pilot.app.exit()

    run(kind, headless=True, size=SIZE, auto_pilot=sit)


# Eight different queries, each typed (every key a query not seen before) and then
# deleted one key at a time back to the full list (which the filter remembers).
WORDS = ("team 00", "adm", "a1 dev", "ops 12", "data", "billing 3", "support", "net 07")
KEYS = [key for word in WORDS for key in [*word, *["backspace"] * len(word)]]


def filter_latencies() -> None:
    """Time from a key reaching the app to the next frame written to the terminal.

    Pilot's own waits guess at idleness from CPU time and would swamp the
    measurement, so the key goes straight to the driver's queue and the clock
    stops when the app next hands a frame to the driver.
    """
    from textual import events

    results: dict = {}

    async def type_keys(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await asyncio.sleep(float(os.environ.get("BENCH_SETTLE", "0.5")))  # people type after the first frame
        frames: list[float] = []
        display = app._display

        painted = asyncio.Event()

        def timed_display(screen, renderable) -> None:
            display(screen, renderable)
            frames.append((time.perf_counter(), time.thread_time()))
            if applied:
                painted.set()

        app._display = timed_display
        applied: list[float] = []
        set_filter = app.targets.set_filter

        def timed_set_filter(text: str) -> None:
            set_filter(text)
            applied.append(time.perf_counter())

        app.targets.set_filter = timed_set_filter
        times: list[float] = []
        work: list[float] = []  # CPU time of the app's own thread: the keystroke's cost
        for key in KEYS:  # 96 keystrokes
            frames.clear()
            applied.clear()
            painted.clear()
            character = key if len(key) == 1 else None
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            app._driver.send_message(events.Key(key if key != " " else "space", character))
            # The first frame painted after the list took the new filter (waiting on
            # an event: a polling loop here would itself burn the CPU being measured).
            while not (applied and any(t >= applied[0] for t, _ in frames)):
                await painted.wait()
                painted.clear()
            done, done_cpu = next((t, c) for t, c in frames if t >= applied[0])
            times.append(done - begin)
            work.append(done_cpu - begin_cpu)
            await asyncio.sleep(0.03)  # let the frame settle, as a person typing would
        app._display = display
        results["latencies"] = times
        results["work"] = work
        results["keys"] = KEYS
        results["targets"] = app.targets.total
        results["final_filter"] = app.targets.filter_text
        app.exit()

    run("roleswitch", headless=True, size=SIZE, auto_pilot=type_keys)
    print(json.dumps(results))


if __name__ == "__main__":
    action = sys.argv[1]
    if action == "start":
        start(sys.argv[2])
    elif action == "idle":
        idle(sys.argv[2], float(sys.argv[3]))
    elif action == "filter":
        filter_latencies()
    else:
        raise SystemExit(f"unknown action {action}")
