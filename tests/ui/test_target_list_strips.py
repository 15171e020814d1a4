"""The list keeps at most STRIPS_KEPT rendered rows however many queries are typed, the
oldest going first (each strip carries Textual's caches: about a kilobyte a row)."""

from __future__ import annotations

from roleswitch.ui.widgets import target_list
from roleswitch.ui.widgets.target_list import TargetList
from tests.ui.helpers import make_app, write_sandbox


async def test_typing_keeps_only_the_newest_rendered_rows(home, monkeypatch):
    monkeypatch.setattr(target_list, "STRIPS_KEPT", 12)
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        targets = app.query_one(TargetList)
        for word in ("prod", "adm"):
            await pilot.press(*word)
            await pilot.pause()
            assert 0 < len(targets._strips) <= 12
            await pilot.press(*["backspace"] * len(word))
        await pilot.pause()
        newest = list(targets._strips)[-1]
        assert newest[-1] == ()  # the full list's rows, painted last, are kept


async def test_each_shown_targets_row_is_found_without_a_row_number_per_match(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        targets = app.query_one(TargetList)
        for query in ("", "a", "prod", "zzz"):
            targets.set_filter(query)
            await pilot.pause()
            view = targets._view_now
            shown = [row for row in view.rows if 0 <= row < targets.total]
            assert len(shown) == len(view.matches)
            for index in shown:
                assert view.row_of(index, in_group=False) == view.rows.index(index)
            missing = next((i for i in range(targets.total) if i not in view.matches), None)
            assert missing is None or view.row_of(missing, in_group=False) == -1
