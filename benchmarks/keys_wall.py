"""Row 21: keystroke to painted list, WALL clock, roleswitch at 10,000 targets against a
minimal Textual app with an Input and a Label that shows the input's value.

    python -m benchmarks.keys_wall keys roleswitch|minimal    wall latencies, JSON on stdout

Both sides get row 3's keystroke script (eight queries, each typed and then deleted
key by key) the same way: a key goes straight to the driver's queue, and the clock
stops at the first frame handed to the driver that shows the key's result (the list
filtered by the new query; the label showing the new value). That span includes the
wait for Textual's next 60 Hz paint, which is what a person feels. Typed keys and
deletions are reported separately; the parent alternates whole runs of both sides.
With BENCH_TRACE=1 each key's frames (ms after the key, and what each showed) go to
stderr: a frame showing the old query first is a frame the key waited for.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

KINDS = ("minimal", "roleswitch")


def input_label_app():
    from textual.app import App, ComposeResult
    from textual.widgets import Input, Label

    class InputLabel(App[None]):
        """The baseline: what is typed, shown in a label."""

        shown = ""

        def compose(self) -> ComposeResult:
            yield Input(id="query")
            yield Label("", id="shown")

        def on_mount(self) -> None:
            box = self.query_one(Input)
            box.cursor_blink = False  # as roleswitch's filter box: no repaints of its own
            box.focus()

        def on_input_changed(self, event: Input.Changed) -> None:
            self.query_one("#shown", Label).update(event.value)
            self.shown = event.value

    return InputLabel()


def keystrokes(kind: str) -> None:
    from textual import events

    from benchmarks.tui import KEYS, SIZE, run

    results: dict = {}

    async def type_keys(pilot) -> None:
        app = pilot.app
        await pilot.pause()
        await asyncio.sleep(float(os.environ.get("BENCH_SETTLE", "0.5")))  # people type after the first frame

        def shown() -> str:
            """What the list is filtered by; what the label shows."""
            return app.targets.filter_text if kind == "roleswitch" else app.shown

        frames: list[tuple[float, str]] = []  # when each frame went out, and what it showed
        painted = asyncio.Event()
        display = app._display

        def timed_display(screen, renderable) -> None:
            display(screen, renderable)
            frames.append((time.perf_counter(), shown()))
            painted.set()

        app._display = timed_display
        typed: list[float] = []
        deleted: list[float] = []
        query = ""
        trace = bool(os.environ.get("BENCH_TRACE"))
        for key in KEYS:
            query = query[:-1] if key == "backspace" else query + key
            frames.clear()
            painted.clear()
            character = key if len(key) == 1 else None
            begin = time.perf_counter()
            app._driver.send_message(events.Key(key if key != " " else "space", character))
            while not any(text == query for _, text in frames):
                await painted.wait()
                painted.clear()
            done = next(t for t, text in frames if text == query)
            (deleted if key == "backspace" else typed).append(done - begin)
            if trace:
                print(
                    repr(key), [(round((t - begin) * 1000, 1), text) for t, text in frames], file=sys.stderr
                )
            await asyncio.sleep(0.03)  # let the frame settle, as a person typing would
        app._display = display
        results.update(typed=typed, deleted=deleted)
        targets = getattr(app, "targets", None)
        results["targets"] = targets.total if targets is not None else 0
        app.exit()

    if kind == "roleswitch":
        run("roleswitch", headless=True, size=SIZE, auto_pilot=type_keys)
    else:
        input_label_app().run(headless=True, size=SIZE, auto_pilot=type_keys)
    print(json.dumps(results))


def run(bench) -> None:
    """Row 21, in the parent: whole runs of both sides, alternating."""
    from benchmarks.__main__ import median, ms, p95, run_process

    print("21. keystroke to painted list, wall clock, against an Input + Label app", flush=True)
    env = bench.env(10000, BENCH_TERMINAL="120x40")
    runs: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    for _ in range(bench.runs(5, 1)):
        for kind in KINDS:
            out = run_process([sys.executable, "-m", "benchmarks.keys_wall", "keys", kind], env, capture=True)
            runs[kind].append(json.loads(out))
    for what in ("typed", "deleted"):
        base_p95 = median([p95(d[what]) for d in runs["minimal"]])
        ours_p95 = median([p95(d[what]) for d in runs["roleswitch"]])
        base_med = median([median(d[what]) for d in runs["minimal"]])
        ours_med = median([median(d[what]) for d in runs["roleswitch"]])
        ratio = ours_p95 / base_p95
        bench.record(
            21,
            f"keystroke to painted list, wall p95, 10,000 targets ({what} keys)",
            f"p95 {ms(ours_p95)} vs Input + Label app {ms(base_p95)} "
            f"(median {ms(ours_med)} vs {ms(base_med)})",
            ratio,
            "<= 1.2x",
            ratio <= 1.2,
            keys=sum(len(d[what]) for d in runs["roleswitch"]),
            targets=runs["roleswitch"][0]["targets"],
        )


if __name__ == "__main__":
    if sys.argv[1] == "keys" and sys.argv[2] in KINDS:
        keystrokes(sys.argv[2])
    else:
        raise SystemExit(f"usage: python -m benchmarks.keys_wall keys {'|'.join(KINDS)}")
