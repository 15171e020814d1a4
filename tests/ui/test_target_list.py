"""The role list on its own: ranking, marked matches, header counts, mouse and Textual's scroll bar."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.scrollbar import ScrollBar

import roleswitch.ui
from roleswitch.core.model import Catalogue
from roleswitch.ui.widgets.target_list import TargetList
from tests.factories import make_target
from tests.ui.helpers import CREDENTIALS, make_app, settle


def demo_catalogue() -> Catalogue:
    """Production listed first, and an unnamed account holding old-prototype, as in the demo."""
    production = [
        make_target(
            name=f"production/{role}",
            role_name=role,
            role_arn=f"arn:aws:iam::111111111111:role/{role}",
        )
        for role in ("Deploy", "Admin", "ReadOnly")
    ]
    prototype = make_target(
        name="old-prototype",
        origin="config",
        role_name="Prototype",
        account_id="777777777777",
        role_arn="arn:aws:iam::777777777777:role/Prototype",
    )
    return Catalogue(targets=(*production, prototype), account_names={"111111111111": "Production"})


def big_catalogue(count: int = 60) -> Catalogue:
    targets = [
        make_target(
            name=f"acct{n}/Role{n}", role_name=f"Role{n}", role_arn=f"arn:aws:iam::111111111111:role/R{n}"
        )
        for n in range(count)
    ]
    return Catalogue(targets=tuple(targets), account_names={"111111111111": "Production"})


class ListHost(App[None]):
    CSS_PATH = Path(roleswitch.ui.__file__).parent / "app.tcss"  # the app's own look

    def __init__(self, catalogue: Catalogue) -> None:
        super().__init__()
        self.catalogue = catalogue
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield TargetList(id="targets")

    def on_mount(self) -> None:
        self.query_one(TargetList).set_catalogue(self.catalogue)
        self.query_one(TargetList).focus()

    def on_target_list_selected(self, message: TargetList.Selected) -> None:
        self.selected.append(message.target.name)

    def key_enter(self) -> None:  # roleswitch's app binds Enter itself (its `assume`)
        self.query_one(TargetList).action_select()


def line_text(tl: TargetList, y: int) -> str:
    return "".join(segment.text for segment in tl.render_line(y))


async def test_typing_proto_highlights_old_prototype_and_enter_assumes_it():
    app = ListHost(demo_catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        assert tl.highlighted.name == "production/Deploy"
        for end in range(1, len("proto") + 1):  # key by key, as typed in the filter box
            tl.set_filter("proto"[:end])
            await pilot.pause()
        assert tl.match_count == 4  # production/... still match, letter by letter
        assert tl.highlighted.name == "old-prototype"
        assert "777777777777" in line_text(tl, 0)  # its account comes first
        await pilot.press("enter")
        assert app.selected == ["old-prototype"]


async def test_a_highlight_as_good_as_the_best_stays_put():
    app = ListHost(demo_catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        await pilot.press("down")
        assert tl.highlighted.name == "production/Admin"
        tl.set_filter("prod")  # every production role starts a word with it: as good as any
        await pilot.pause()
        assert tl.highlighted.name == "production/Admin"


async def test_matched_letters_are_marked_and_headers_count_what_is_shown():
    app = ListHost(demo_catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        assert "3 roles" in line_text(tl, 0)
        tl.set_filter("admin")
        await pilot.pause()
        assert line_text(tl, 0).rstrip().endswith("1 of 3 roles")
        marked = [s.text for s in tl.render_line(1) if s.style is not None and s.style.underline]
        assert "".join(marked).lower() == "adminadmin"  # the role name and the target name


async def test_textual_scroll_bar_thumb_can_be_dragged():
    app = ListHost(big_catalogue())
    async with app.run_test(size=(60, 20)) as pilot:
        tl = app.query_one(TargetList)
        assert tl.show_vertical_scrollbar
        bar = tl.vertical_scrollbar
        assert isinstance(bar, ScrollBar) and bar.region.height == 20
        assert tl.scroll_offset.y == 0
        await pilot.mouse_down(bar, offset=(0, 1))  # on the thumb, at the top
        await pilot.hover(bar, offset=(0, 10))
        await pilot.mouse_up(bar, offset=(0, 10))
        await pilot.pause()
        assert tl.scroll_offset.y > 10


async def test_a_click_highlights_a_row_and_a_double_click_assumes_it():
    app = ListHost(demo_catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        await pilot.click(tl, offset=(5, 3))  # row 0 is Production's header
        assert tl.highlighted.name == "production/ReadOnly"
        assert app.selected == []
        await pilot.click(tl, offset=(5, 2), times=2)
        assert tl.highlighted.name == "production/Admin"
        assert app.selected == ["production/Admin"]


async def test_the_wheel_keys_and_a_click_on_the_bar_scroll_without_moving_the_highlight():
    app = ListHost(big_catalogue())
    async with app.run_test(size=(60, 20)) as pilot:
        tl = app.query_one(TargetList)
        height = tl.scrollable_content_region.height
        await pilot.press("end")
        assert tl.scroll_offset.y == 61 - height
        await pilot.press("home")
        assert tl.scroll_offset.y == 0
        tl.post_message(events.MouseScrollDown(tl, 2, 2, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert tl.scroll_offset.y > 0  # the wheel scrolls
        await pilot.click(tl.vertical_scrollbar, offset=(0, 19))  # the bar's track near the bottom
        await pilot.pause()
        assert tl.scroll_offset.y > 3
        assert tl.highlighted.name == "acct0/Role0"  # scrolling alone moves no highlight
        tl.set_filter("role59")
        await pilot.pause()
        assert tl.match_count == 1 and tl.max_scroll_y == 0  # everything fits: nothing to scroll
        assert tl.vertical_scrollbar.region.width == 1  # the bar keeps its column: no row shifts


PROTO_TOML = """\
[accounts.production]
id = "111111111111"
name = "Production"
source_profile = "corp"

[[accounts.production.roles]]
name = "Deploy"

[[accounts.production.roles]]
name = "ReadOnly"
"""
PROTO_CONFIG = """\
[profile corp]
region = eu-west-1

[profile old-prototype]
role_arn = arn:aws:iam::777777777777:role/Prototype
source_profile = corp
"""


async def test_in_the_app_typing_proto_then_enter_assumes_old_prototype(home):
    home.write(config=PROTO_CONFIG, credentials=CREDENTIALS, toml=PROTO_TOML)
    app, sts, _ = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        tl = app.query_one(TargetList)
        assert tl.highlighted.name == "production/Deploy"
        await pilot.press(*"proto")
        assert tl.match_count == 3 and tl.highlighted.name == "old-prototype"
        await pilot.press("enter")
        await settle(app, pilot)
        assert sts.calls == [("old-prototype", None)]
