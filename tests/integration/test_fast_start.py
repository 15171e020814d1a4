"""A cold start writes the catalogue cache after its first frame, on a thread, not before
it; an app closed before it settled still leaves its cache; the next start is warm."""

from __future__ import annotations

import threading

from roleswitch.ui.launch import WritesAfterFirstFrame
from tests.ui.test_start_up_collector import run_python

CONFIG = "[profile corp]\nregion = eu-west-1\n\n[profile admin]\nrole_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = corp\n"


def entry(home):
    return home.root / ".cache" / "roleswitch" / "catalogue.json"


def test_writes_wait_for_the_release_then_run_on_another_thread():
    later = WritesAfterFirstFrame()
    ran: list[str] = []
    done = threading.Event()

    def write():
        ran.append(threading.current_thread().name)
        done.set()

    later.defer(write)
    assert not done.wait(0.05) and ran == []
    later.release()
    assert done.wait(5) and ran == ["catalogue-cache-write"]
    done.clear()
    later.defer(write)  # after the release: at once
    assert done.wait(5) and len(ran) == 2


def test_a_cold_start_writes_the_cache_after_its_first_frame(home):
    home.write(config=CONFIG, credentials="[corp]\naws_access_key_id = A\naws_secret_access_key = b\n")
    out = run_python(
        f"""
        import asyncio, os
        from roleswitch.ui.launch import launch

        entry = {str(entry(home))!r}
        seen = []

        async def watch(pilot):
            await pilot.pause()  # the first frame is up; settle_in runs 0.3 s after mount
            seen.append(os.path.exists(entry))
            for _ in range(250):
                if os.path.exists(entry):
                    break
                await asyncio.sleep(0.02)
            seen.append(os.path.exists(entry))
            pilot.app.exit()

        launch(headless=True, size=(80, 24), auto_pilot=watch)
        print(*seen)
        """
    )
    assert out == "False True"


def test_an_app_closed_before_it_settled_still_leaves_its_cache(home):
    home.write(config=CONFIG)
    out = run_python(
        f"""
        import os
        from roleswitch.ui.launch import launch

        async def quit_at_once(pilot):
            pilot.app.exit()

        launch(headless=True, size=(80, 24), auto_pilot=quit_at_once)
        print(os.path.exists({str(entry(home))!r}))
        """
    )
    assert out == "True"
