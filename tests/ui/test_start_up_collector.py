"""The garbage collector is off only while the app starts, then on with start-up frozen,
and never left off or frozen once the app has closed.

Each check runs in its own process: the collector is process-wide state, and a
test that broke it must not take the test run down with it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run_python(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_an_app_that_quits_before_settling_leaves_the_collector_on(home):
    out = run_python(
        """
        import gc
        from roleswitch.ui.launch import build_app

        async def quit_at_once(pilot):
            pilot.app.exit()

        build_app().run(headless=True, size=(80, 24), auto_pilot=quit_at_once)
        print(gc.isenabled(), gc.get_freeze_count())
        """
    )
    assert out == "True 0"


def test_launch_pauses_the_collector_until_the_first_frame_settles_then_restores_it(home):
    out = run_python(
        """
        import asyncio, gc
        from roleswitch.ui.launch import launch

        seen = []

        async def watch(pilot):
            await pilot.pause()  # the first frame is up
            seen.append(gc.isenabled())
            for _ in range(200):  # settle_in runs 0.3 s after mount
                if gc.isenabled():
                    break
                await asyncio.sleep(0.02)
            seen.append(gc.isenabled())
            seen.append(gc.get_freeze_count())
            pilot.app.exit()

        launch(headless=True, size=(80, 24), auto_pilot=watch)
        print(seen[0], seen[1], seen[2] > 10_000, gc.isenabled(), gc.get_freeze_count())

        async def fail(pilot):
            raise RuntimeError("start-up failed")

        try:
            launch(headless=True, size=(80, 24), auto_pilot=fail)
        except RuntimeError:
            pass
        print(gc.isenabled())
        """
    )
    assert out.splitlines() == ["False True True True 0", "True"]
