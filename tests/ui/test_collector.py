"""After start-up the collector freezes what start-up made; a catalogue read again
unfreezes first, so the old one's cycles are collected, and freezing resumes after.

Each check runs in its own process: the collector is process-wide state.
"""

from __future__ import annotations

from tests.ui.test_start_up_collector import run_python


def test_a_catalogue_read_again_does_not_keep_the_old_one_frozen():
    out = run_python(
        """
        import gc, time, weakref
        from roleswitch.ui.collector import StartUpCollector

        class Catalogue:
            def __init__(self):
                self.me = self  # a cycle: only the collector frees it

        collector = StartUpCollector(refreeze_after=0.05)
        collector.pause()
        app = {"catalogue": Catalogue()}
        old = weakref.ref(app["catalogue"])
        collector.settled()
        print(gc.isenabled(), collector.frozen, gc.get_freeze_count() > 0)

        load = collector.reading(Catalogue)
        app["catalogue"] = load()  # the app swaps the new one in
        print(collector.frozen)
        for _ in range(100):
            if collector.frozen:
                break
            time.sleep(0.02)
        print(collector.frozen, old() is None, gc.get_freeze_count() > 0)
        collector.resume()
        print(gc.isenabled(), gc.get_freeze_count())
        """
    )
    assert out.splitlines() == ["True True True", "False", "True True True", "True 0"]


def test_a_collector_turned_off_by_the_caller_is_left_off_and_nothing_frozen():
    out = run_python(
        """
        import gc
        from roleswitch.ui.collector import StartUpCollector

        gc.disable()
        collector = StartUpCollector()
        collector.pause()
        collector.settled()
        print(gc.isenabled(), gc.get_freeze_count())
        collector.resume()
        print(gc.isenabled(), gc.get_freeze_count())
        """
    )
    assert out.splitlines() == ["False 0", "False 0"]
