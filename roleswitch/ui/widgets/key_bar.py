"""The bottom line of keys: what each key does now, greyed out when it cannot act.

Textual's `Footer` builds one widget per key and rebuilds them all whenever
the bindings change, which in this app is on every move of the highlight; at
typing speed that cost more than the whole filter. This is one widget that
repaints one line, with the same theme colours, and keys that can be clicked.
"""

from __future__ import annotations

from collections.abc import Iterator

from textual import events
from textual.app import RenderResult
from textual.content import Content
from textual.dom import DOMNode
from textual.widget import Widget


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--disabled", "key-bar--attention"}  # styled in app.tcss

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-description-foreground;
    }
    """

    def __init__(self, *, id: str | None = None, own_keys_only: bool = False) -> None:
        super().__init__(id=id)
        # A screen of its own keys (Sessions): the app's keys (and the palette hint) are not named.
        self.own_keys_only = own_keys_only
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
        extras = self._extra_ids()
        keys = [
            (key, binding.action, enabled)
            for key, (node, binding, enabled, _tooltip) in self.screen.active_bindings.items()
            if (binding.show or binding.id in extras) and not (self.own_keys_only and node is self.app)
        ]
        return (*keys, self._attention())

    def _attention(self) -> frozenset[str]:
        """Actions the app wants noticed now (e.g. sign in again): shown highlighted."""
        return getattr(self.app, "attention_actions", frozenset())

    def _extra_ids(self) -> frozenset[str]:
        """Ids of bindings not shown (show=False) that the bar names when it has room for
        them beside every shown key in full (the app's KEY_BAR_EXTRAS): a wide terminal
        sees them, a narrow one keeps its room for the keys it must name."""
        return frozenset(() if self.own_keys_only else getattr(self.app, "KEY_BAR_EXTRAS", ()))

    def render(self) -> RenderResult:
        app = self.app
        keys: list[tuple[str, str, bool, str, DOMNode]] = []  # key, description, enabled, action, node
        extras: list[tuple[str, str, bool, str, DOMNode]] = []  # enabled extra keys, same shape
        extra_ids = self._extra_ids()
        seen: set[str] = set()
        palette = None
        for key, (node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if self.own_keys_only and node is app:
                continue
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = (app.get_key_display(binding), binding.description, enabled, binding.action, node)
                continue
            if binding.action in seen:
                continue
            if not binding.show:
                if binding.id in extra_ids and enabled:
                    seen.add(binding.action)
                    key_shown = app.get_key_display(binding)
                    extras.append((key_shown, binding.description, True, binding.action, node))
                continue
            seen.add(binding.action)
            keys.append((app.get_key_display(binding), binding.description, enabled, binding.action, node))
        width = self.size.width
        attention = self._attention()
        choices: list[tuple[list, list[bool], bool]] = []
        if extras:
            help_at = next((i for i, k in enumerate(keys) if k[3] == "help"), len(keys))
            wide = keys[:help_at] + extras + keys[help_at:]  # before Help and Quit's end of the line
            choices.append((wide, [True] * len(wide), True))
        choices += [(keys, worded, with_palette) for worded, with_palette in self._fittings(keys)]
        for keys, worded, with_palette in choices:
            parts: list[Content] = []
            spans: list[tuple[int, int, str, object]] = []
            x = 0
            for (key, description, enabled, action, node), words in zip(keys, worded, strict=True):
                part = self._key(key, description if words else "", enabled, action in attention)
                spans.append((x, x + len(part.plain), action, node))
                x += len(part.plain)
                parts.append(part)
            if palette is not None and with_palette:
                key, description, enabled, action, node = palette
                tail = self._key(key, description, enabled)
                gap = max(1, width - x - len(tail.plain))
                spans.append((x + gap, x + gap + len(tail.plain), action, node))
                parts += [Content(" " * gap), tail]
                x += gap + len(tail.plain)
            if x <= width:
                break
        self._spans = spans
        return Content("").join(parts)

    @staticmethod
    def _fittings(keys: list[tuple[str, str, bool, str, DOMNode]]) -> Iterator[tuple[list[bool], bool]]:
        """Which keys keep their words, and whether the palette hint shows, most said first.

        Too narrow for every key in full: greyed-out keys lose their words first, then the
        palette hint goes (ctrl+p still works), then enabled keys from the right, Help's
        last, so every key stays on screen and Help says what the bare ones do."""
        worded = [True] * len(keys)
        yield worded, True
        worded = [enabled for _key, _text, enabled, _action, _node in keys]
        yield worded, True
        yield worded, False
        order = sorted(range(len(keys)), key=lambda i: (keys[i][3] == "help", -i))
        for i in order:
            if worded[i]:
                worded = worded.copy()
                worded[i] = False
                yield worded, False

    def _key(self, key: str, description: str, enabled: bool, attention: bool = False) -> Content:
        """` ^r Renew `; without a description, just the key."""
        # Component styles, not inline colour names: Textual blends a translucent theme
        # colour (like $text-disabled) into the background only for styles from CSS, and
        # an inline one came out brighter than the enabled keys.
        if not enabled:
            said = f" {key} {description} " if description else f" {key} "
            return Content.styled(said, self.get_visual_style("key-bar--disabled"))
        if attention:
            said = f" {key} {description} " if description else f" {key} "
            return Content.styled(said, self.get_visual_style("key-bar--attention"))
        return Content("").join(
            [
                Content.styled(f" {key}", self.get_visual_style("key-bar--key")),
                Content(f" {description} " if description else " "),
            ]
        )

    async def _on_click(self, event: events.Click) -> None:
        for x0, x1, action, node in self._spans:
            if x0 <= event.x < x1:
                event.stop()
                await self.app.run_action(action, node)  # type: ignore[arg-type]
                return
