"""The list follows the filter box in the box's own frame, and remembers only the rows
of its last few queries however long the person types."""

from __future__ import annotations

from roleswitch.core.filtering import QUERIES_REMEMBERED
from roleswitch.ui.widgets.target_list import TargetList
from tests.ui.helpers import make_app, write_sandbox

SIZE = (100, 30)


async def test_the_list_takes_the_filter_as_the_box_changes_not_a_frame_later(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        targets = app.query_one(TargetList)
        await pilot.pause()
        # No await: the box's Input.Changed has not reached the app, and no frame was painted.
        app.filter_input.value = "adm"
        assert targets.filter_text == "adm"
        assert targets.highlighted is not None and "admin" in targets.highlighted.name.lower()
        await pilot.pause()
        assert targets.filter_text == "adm"  # the app's own call after it changes nothing
        await pilot.press("backspace", "backspace", "backspace")
        assert targets.filter_text == "" and targets.match_count == targets.total


async def test_typing_many_queries_keeps_the_rows_of_a_few(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        targets = app.query_one(TargetList)
        for word in ("prod", "dev", "adm", "read", "break", "glass", "stag", "222"):
            await pilot.press(*word)
            await pilot.press(*["backspace"] * len(word))
        assert targets.filter_text == ""
        assert len(targets._views) <= QUERIES_REMEMBERED
