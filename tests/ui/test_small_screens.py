"""What the screen says at 60x20, 80x24 and 120x40: the countdown always, the rest as it fits.

Each test reads the painted screen (what a person sees), not a widget's own text, so
clipping and truncation count.
"""

from __future__ import annotations

import pytest

from roleswitch.ui.widgets.detail import DetailPane
from roleswitch.ui.widgets.key_bar import KeyBar
from tests.ui.helpers import TOML, make_app, settle, write_sandbox
from tests.ui.screen_reading import screen_lines, widget_lines

SIZES = [(60, 20), (80, 24), (120, 40)]
LABEL = 13  # the detail pane's label column

LONG_TOML = (
    TOML
    + """
[accounts.data-platform-production]
id = "444444444444"
name = "Data platform (production)"
source_profile = "corp"

[[accounts.data-platform-production.roles]]
name = "OrganizationAccountAccessRole"
"""
)


async def assume(app, pilot, query: str, code: str | None = None) -> None:
    await pilot.press(*query, "enter")
    if code:
        await pilot.pause()
        await pilot.press(*code, "enter")
    await settle(app, pilot)
    app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_top_bar_keeps_countdown_and_notes_at_every_size(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home, badge="DEMO · local AWS")
    async with app.run_test(size=size) as pilot:
        await assume(app, pilot, "breakglass", "123456")
        await app.run_action("toggle_auto_renew")
        await pilot.pause()
        top = screen_lines(app)[0]
        assert "1h 00m 00s left" in top, top
        assert "MFA" in top and "12h" in top, top
        assert "auto-renew" in top, top
        assert "DEMO" in top, top
        assert "● prod/" in top, top
        if size[0] >= 120:  # room for everything, said in full
            assert "MFA session 12h 00m 00s left" in top and "→ [default]" in top, top


async def test_a_long_target_name_gives_way_to_the_countdown(home):
    write_sandbox(home, toml=LONG_TOML)
    app, _, _ = make_app(home)
    async with app.run_test(size=(60, 20)) as pilot:
        await assume(app, pilot, "organization")
        top = screen_lines(app)[0]
        assert "1h 00m 00s left" in top, top
        assert "● data-platform" in top and "…" in top, top


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_detail_pane_keeps_expiry_and_role_at_every_size(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=size) as pilot:
        await assume(app, pilot, "stg read")
        pane = "\n".join(widget_lines(app, app.query_one(DetailPane)))
        for must in ("ReadOnly", "Role ARN", "Active session in [default]", "Expires", "13:00:00"):
            assert must in pane, pane
        if size[0] >= 120:  # tall enough for every line
            for line in ("Session name", "Defined in", "Access key"):
                assert line in pane, pane


@pytest.mark.parametrize(("zone", "both"), [("UTC", False), ("Europe/Berlin", True)])
async def test_the_expiry_is_also_shown_in_utc_only_when_local_time_is_not_utc(home, monkeypatch, zone, both):
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        write_sandbox(home)
        app, _, _ = make_app(home)
        async with app.run_test(size=(120, 40)) as pilot:
            await assume(app, pilot, "stg read")
            pane = "\n".join(widget_lines(app, app.query_one(DetailPane)))
            assert "Expires" in pane and ("(UTC)" in pane) == both, pane
    finally:
        monkeypatch.undo()
        time.tzset()


def value_lines(pane: list[str], label: str) -> list[str]:
    """The value column of one row: its first line and the indented lines folded under it."""
    start = next(i for i, line in enumerate(pane) if line.lstrip(" ▏").startswith(label))
    first = pane[start].lstrip(" ▏")
    offset = pane[start].index(first)  # the pane's left padding and border
    parts = [first[LABEL:]]
    for line in pane[start + 1 :]:
        body = line[offset:]
        if not body.startswith(" " * LABEL) or not body.strip():
            break
        parts.append(body[LABEL:].rstrip())
    return parts


def rejoin(parts: list[str]) -> str:
    """The value a folded row shows: a fold after `/` or `:` hides nothing, any other hides a space."""
    text = parts[0]
    for part in parts[1:]:
        text += part if text[-1] in "/:" else " " + part
    return text


def assert_folded_at_boundaries(parts: list[str], value: str) -> None:
    assert parts[0], "the value starts on the label's line"
    assert rejoin(parts) == value, f"folded mid-word: {parts}"


async def test_detail_pane_folds_arns_at_slashes_and_colons(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await assume(app, pilot, "breakglass", "123456")
        pane = widget_lines(app, app.query_one(DetailPane))
        role = value_lines(pane, "Role ARN")
        assert_folded_at_boundaries(role, "arn:aws:iam::111111111111:role/BreakGlass")
        assumed = value_lines(pane, "Assumed ARN")
        assert_folded_at_boundaries(assumed, "arn:aws:sts::111111111111:assumed-role/BreakGlass/alice")
        assert len(assumed) > 1  # too long for the pane: folded, not clipped


async def test_detail_pane_keeps_line_numbers_whole(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"broken")
        await pilot.pause()
        await pilot.pause()
        target = app.targets.highlighted
        assert target.name == "broken" and target.line
        pane = widget_lines(app, app.query_one(DetailPane))
        where = value_lines(pane, "Defined in")
        assert len(where) > 1  # the temporary path is longer than the pane is wide
        assert_folded_at_boundaries(where, f"{target.file}, line {target.line}")
        assert where[-1].endswith(f"line {target.line}"), where


def contrast(segment) -> float:
    """How far a segment's text stands out from its background (relative luminance)."""

    def luminance(color) -> float:
        r, g, b = (c / 255 for c in color.get_truecolor())
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    return abs(luminance(segment.style.color) - luminance(segment.style.bgcolor))


async def test_disabled_keys_are_dimmer_than_enabled_ones(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("escape")  # to the list: its keys show
        await pilot.pause()
        assert app.check_action("renew", ()) is None and app.check_action("assume", ()) is True
        bar = app.query_one(KeyBar)
        strip = app.screen._compositor.render_strips()[bar.region.y]
        segments = {seg.text.strip(): seg for seg in strip if seg.text.strip()}
        enabled = segments["Assume"]
        disabled = next(seg for text, seg in segments.items() if "Renew" in text)
        assert contrast(disabled) < contrast(enabled) / 2, (disabled, enabled)


def key_bar_line(app) -> tuple[str, list[tuple[str, str]]]:
    """The key bar as painted, and the (key, description) of every key it should name."""
    line = screen_lines(app)[app.query_one(KeyBar).region.y]
    shown = [
        (app.get_key_display(binding), binding.description)
        for _node, binding, enabled, _tip in app.screen.active_bindings.values()
        if binding.show and enabled and binding.key != app.COMMAND_PALETTE_BINDING
    ]
    return line, shown


@pytest.mark.parametrize("size", [(60, 20), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_key_that_can_act_is_named_in_a_narrow_key_bar(home, size):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=size) as pilot:
        await pilot.press("escape")  # to the list, where most keys show (many greyed out)
        await pilot.pause()
        line, shown = key_bar_line(app)
        assert len(shown) >= 3
        for key, description in shown:
            assert f"{key} {description}" in line, (key, description, line)


async def test_a_full_key_bar_at_60_columns_keeps_every_key_and_help(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(60, 20)) as pilot:
        await assume(app, pilot, "stg read")  # every session key can act now
        line, shown = key_bar_line(app)
        assert len(shown) >= 6
        for key, _description in shown:
            assert f" {key} " in line + " ", (key, line)
        help_key = next((key, d) for key, d in shown if d == "Help")
        assert f"{help_key[0]} Help" in line, line
