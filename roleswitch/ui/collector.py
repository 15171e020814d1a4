"""The garbage collector around the app: off during start-up, then what start-up made frozen.

A full collection walks every object the collector tracks. Start-up makes most of
them (Textual's modules, 10,000 targets, styles) and they live as long as the app,
so once the first frame is up they are collected once and moved to the permanent
generation (`gc.freeze`): later full collections walk only what was made since,
and stop pausing the event loop for 45 to 90 ms at 10,000 targets.

A catalogue read again (after a discovery or a config edit) would leave the old one
frozen, and whatever cycles it holds uncollectable: so each read after the freeze
unfreezes first, and a moment later (once the app has let go of the old catalogue)
collects once and freezes again, on a timer thread, not on a keystroke.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

REFREEZE_AFTER = 1.0  # seconds after a read, for the app to swap the new catalogue in


class StartUpCollector:
    """`settled()`: the first frame is up; `reading(load)`: `load`, made safe to call again."""

    def __init__(self, refreeze_after: float = REFREEZE_AFTER) -> None:
        self.was_enabled = gc.isenabled()
        self.paused = False
        self.frozen = False
        self.refreeze_after = refreeze_after
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def pause(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.paused = True

    def settled(self) -> None:
        """Collect what start-up left, then freeze what survived (only if the collector was on:
        a caller that turned it off wants no collections, and so no freeze either)."""
        if not self.paused:
            return
        self.paused = False
        gc.collect()
        if self.was_enabled:
            with self._lock:
                gc.freeze()
                self.frozen = True
            gc.enable()

    def resume(self) -> None:
        """The block ends: the collector as it was, nothing left frozen or pending."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self.frozen:
                gc.unfreeze()
                self.frozen = False
        if self.paused:
            self.paused = False
            if self.was_enabled:
                gc.enable()

    def reading(self, load: Callable[[], T]) -> Callable[[], T]:
        """`load` (the catalogue's), unfreezing before each read after the freeze and
        freezing again `refreeze_after` seconds later."""

        def read_again() -> T:
            with self._lock:
                if self.frozen:
                    gc.unfreeze()  # the old catalogue can be collected once the app lets go of it
                    self.frozen = False
                    self._refreeze_later()
                elif self._timer is not None:  # a read while one is pending: wait for this one too
                    self._timer.cancel()
                    self._refreeze_later()
            return load()

        return read_again

    def _refreeze_later(self) -> None:
        timer = threading.Timer(self.refreeze_after, self._refreeze)
        timer.daemon = True
        timer.name = "collector-refreeze"
        self._timer = timer
        timer.start()

    def _refreeze(self) -> None:
        with self._lock:
            if self._timer is not threading.current_thread() or self.frozen:
                return  # cancelled, or a later read's timer replaced this one
            self._timer = None
            gc.collect()
            gc.freeze()
            self.frozen = True
