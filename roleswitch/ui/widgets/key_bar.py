"""The bottom line of keys: what each key does now, greyed out when it cannot act.

Textual's `Footer` builds one widget per key and rebuilds them all whenever
the bindings change, which in this app is on every move of the highlight; at
typing speed that cost more than the whole filter. This is one widget that
repaints one line, with the same theme colours, and keys that can be clicked.
"""

from __future__ import annotations

from textual import events
from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget


class KeyBar(Widget):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str, object]] = []  # x0, x1, action, node
        self._shown: tuple = ()  # the keys as last signalled: see _bindings_changed

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        # The signal comes on every move of the highlight; most moves change nothing here.
        shown = self._showing()
        if shown != self._shown:
            self._shown = shown
            self.refresh()  # one line; never a layout

    def _showing(self) -> tuple:
        return tuple(
            (key, binding.action, enabled)
            for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items()
            if binding.show
        )

    def render(self) -> RenderResult:
        app = self.app
        active = self.screen.active_bindings
        parts: list[Content] = []
        spans: list[tuple[int, int, str, object]] = []
        x = 0
        seen: set[str] = set()
        palette = None
        for key, (node, binding, enabled, _tooltip) in active.items():
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (node, binding, enabled)
                continue
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            part = self._key(app.get_key_display(binding), binding.description, enabled)
            spans.append((x, x + len(part.plain), binding.action, node))
            x += len(part.plain)
            parts.append(part)
        line = Content("").join(parts)
        if palette is not None:
            node, binding, enabled = palette
            tail = self._key(app.get_key_display(binding), binding.description, enabled)
            gap = max(1, self.size.width - x - len(tail.plain))
            spans.append((x + gap, x + gap + len(tail.plain), binding.action, node))
            line = Content("").join([line, Content(" " * gap), tail])
        self._spans = spans
        return line

    @staticmethod
    def _key(key: str, description: str, enabled: bool) -> Content:
        if not enabled:
            return Content.styled(f" {key} {description} ", "$text-disabled")
        return Content("").join(
            [
                Content.styled(f" {key}", "bold $footer-key-foreground"),
                Content(f" {description} "),
            ]
        )

    async def _on_click(self, event: events.Click) -> None:
        for x0, x1, action, node in self._spans:
            if x0 <= event.x < x1:
                event.stop()
                await self.app.run_action(action, node)  # type: ignore[arg-type]
                return
