"""The list with pins and recent use: the groups, the alphabetical setting, a target shown
twice, a query's ties, and environments named (and coloured) on rows and headers."""

from __future__ import annotations

from rich.color import Color as RichColor

from roleswitch.core.model import Catalogue, Environment, Settings
from roleswitch.core.usage import Usage
from roleswitch.ui.widgets.target_list import PIN_MARK, RowStatus, TargetList
from tests.factories import make_target
from tests.ui.screen_reading import widget_lines
from tests.ui.test_target_list import ListHost, line_text

ACCOUNTS = (("dev", "222222222222", "Dev"), ("prod", "111111111111", "Production"))


def catalogue(
    order: str = "usage", environments: dict | None = None, prod_env: str | None = None
) -> Catalogue:
    """Dev (listed first: accounts go by name) and Production, each with Admin, ReadOnly, Deploy."""
    targets = [
        make_target(
            name=f"{short}/{role}",
            role_name=role,
            account_id=account_id,
            role_arn=f"arn:aws:iam::{account_id}:role/{role}",
            environment=prod_env if short == "prod" else None,
        )
        for short, account_id, _ in ACCOUNTS
        for role in ("Admin", "ReadOnly", "Deploy")
    ]
    settings = Settings(order=order, environments=environments or {})
    names = {account_id: name for _, account_id, name in ACCOUNTS}
    return Catalogue(targets=tuple(targets), account_names=names, settings=settings)


USAGE = Usage(
    pinned=("prod/Deploy", "gone/Role"),  # a pin the catalogue no longer has is skipped
    ranked=("dev/ReadOnly", "prod/Deploy", "prod/Admin", "gone/Other"),
)


def lines(tl: TargetList, count: int) -> list[str]:
    return [line_text(tl, y).rstrip() for y in range(count)]


async def test_pinned_then_recent_then_the_accounts_with_the_highlight_on_the_first_pin():
    app = ListHost(catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        assert tl.highlighted.name == "dev/Admin"  # before the usage arrives
        tl.set_usage(USAGE)
        await pilot.pause()
        shown = lines(tl, 14)
        assert shown[0].startswith(" Pinned") and shown[0].endswith("1 role")
        assert shown[1].startswith(f"{PIN_MARK}▶  Deploy") and "Production" in shown[1]  # names its account
        assert shown[2].startswith(" Recent") and shown[2].endswith("2 roles")
        assert shown[3].startswith("    ReadOnly") and "dev/ReadOnly" in shown[3] and "Dev" in shown[3]
        assert shown[4].startswith("    Admin") and "prod/Admin" in shown[4]
        assert shown[5].startswith(" Dev")
        assert shown[9].startswith(" Production")
        assert shown[12].startswith(f"{PIN_MARK}   Deploy") and "corp" in shown[12]  # its account's copy
        assert "gone" not in "".join(shown)
        # The first usage moves a highlight nobody chose to the top: what Enter assumes.
        assert tl.highlighted.name == "prod/Deploy"
        await pilot.press("enter")
        assert app.selected == ["prod/Deploy"]
        await pilot.press("down", "down")  # over the Recent header, then to its second row
        assert tl.highlighted.name == "prod/Admin"
        await pilot.press("end")
        assert tl.highlighted.name == "prod/Deploy" and tl._cursor == 12


async def test_alphabetical_keeps_pins_first_and_shows_no_recent_group():
    app = ListHost(catalogue(order="alphabetical"))
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_usage(USAGE)
        await pilot.pause()
        shown = lines(tl, 11)
        assert shown[0].startswith(" Pinned") and "prod/Deploy" in shown[1]
        assert shown[2].startswith(" Dev") and shown[6].startswith(" Production")
        assert "Recent" not in "".join(shown)
        # A query's ties go to the pins only: use does not reorder what muscle memory knows.
        tl.set_filter("readonly")
        await pilot.pause()
        assert tl.highlighted.name == "dev/ReadOnly"
        tl.set_filter("admin")
        await pilot.pause()
        assert tl.highlighted.name == "dev/Admin"  # prod/Admin is used more, but not pinned


async def test_a_querys_equal_matches_come_pinned_first_then_by_use():
    app = ListHost(catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_filter("admin")
        await pilot.pause()
        assert tl.highlighted.name == "dev/Admin"  # no usage: the catalogue's order
        tl.set_usage(USAGE)
        await pilot.pause()
        shown = lines(tl, 4)
        assert shown[0].startswith(" Production") and "prod/Admin" in shown[1]  # used: its account first
        assert tl.highlighted.name == "prod/Admin"
        tl.set_filter("d")  # every role here holds a "d"; Deploy starts a word with it
        await pilot.pause()
        assert tl.highlighted.name == "prod/Deploy"  # pinned, among the best
        tl.set_filter("y")  # ReadOnly and Deploy, none of them at a word's start: one tier
        await pilot.pause()
        shown = lines(tl, 6)
        assert "prod/Deploy" in shown[1]  # pinned first, its account with it
        assert "prod/ReadOnly" in shown[2]  # then its account's other match, in order
        assert shown[3].startswith(" Dev") and "dev/ReadOnly" in shown[4]  # used, so first in Dev
        # A better match still beats a pinned one: exactness first, usage only breaks ties.
        tl.set_filter("readonly")
        await pilot.pause()
        assert tl.highlighted.name == "dev/ReadOnly"


async def test_a_target_shown_twice_has_its_status_and_mark_on_both_rows_and_keeps_its_copy():
    app = ListHost(catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_usage(USAGE)
        await pilot.pause()
        tl.set_active("prod/Deploy")
        tl.set_row_status("prod/Deploy", RowStatus("58m left", "calm"))
        await pilot.pause()
        painted = widget_lines(app, tl)  # what the screen shows: both rows were repainted
        for y in (1, 12):  # the Pinned copy and the account's
            assert "●" in painted[y] and painted[y].endswith("58m left"), (y, painted[y])
        # highlight() goes to the first copy, and stays on a copy already highlighted.
        await pilot.press("end")
        assert tl._cursor == 12
        assert tl.highlight("prod/Deploy") and tl._cursor == 12
        assert tl.highlight("dev/ReadOnly") and tl._cursor == 3
        # Pinning from the account's rows keeps the highlight there, on the same target.
        await pilot.press("end", "up")
        assert tl.highlighted.name == "prod/ReadOnly"
        tl.set_usage(Usage(pinned=("prod/Deploy", "prod/ReadOnly"), ranked=USAGE.ranked))
        await pilot.pause()
        assert tl.highlighted.name == "prod/ReadOnly" and tl._cursor == 12
        assert line_text(tl, 12).startswith(f"{PIN_MARK}▶")
        # Unpinning the highlighted Pinned copy leaves the highlight on the target's other row.
        tl.highlight("prod/Deploy")
        assert tl._cursor == 1
        tl.set_usage(Usage(pinned=("prod/ReadOnly",), ranked=USAGE.ranked))
        await pilot.pause()
        assert tl.highlighted.name == "prod/Deploy"
        assert tl._cursor == 4  # its copy in Recent now (it is used), the first row showing it
        tl.set_row_status("prod/Deploy", None)
        await pilot.pause()
        assert "58m left" not in "".join(widget_lines(app, tl))


async def test_a_highlight_the_app_placed_stays_on_that_target_when_the_usage_arrives():
    app = ListHost(catalogue())
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_catalogue(app.catalogue, highlight="prod/Admin")  # the active session's target
        tl.set_usage(USAGE)
        await pilot.pause()
        assert tl.highlighted.name == "prod/Admin" and tl._cursor == 4  # its first row, in Recent


async def test_environments_are_named_on_rows_and_headers_in_their_colour():
    environments = {"production": Environment("production", "#cc0000", True)}
    app = ListHost(catalogue(environments=environments, prod_env="production"))
    async with app.run_test(size=(100, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_row_status("prod/Admin", RowStatus("58m left", "calm"))
        await pilot.pause()
        header, admin = tl.render_line(4), tl.render_line(5)
        for strip in (header, admin):
            labels = [s for s in strip if s.text.strip() == "production"]
            assert labels, strip
            style = labels[0].style
            assert style.bgcolor == RichColor.parse("#cc0000") and style.color is not None  # a badge
        assert line_text(tl, 5).rstrip().endswith("production   58m left")  # the name, then the status
        assert "production" not in line_text(tl, 0)  # Dev names none
        assert line_text(tl, 5).__len__() == line_text(tl, 1).__len__()  # the row keeps its width


async def test_an_unconfigured_or_unparsable_colour_still_names_the_environment():
    for environments in ({}, {"production": Environment("production", "not-a-colour", False)}):
        app = ListHost(catalogue(environments=environments, prod_env="production"))
        async with app.run_test(size=(100, 20)) as pilot:
            tl = app.query_one(TargetList)
            await pilot.pause()
            row = list(tl.render_line(5))
            labels = [s for s in row if s.text.strip() == "production"]
            assert labels and labels[0].style.bgcolor == row[0].style.bgcolor  # the list's own


async def test_a_copy_in_a_group_keeps_its_account_when_a_status_leaves_little_room():
    """Three Admins in Recent, one with a session: at 80 columns its status took the room
    and its account was dropped, so nothing told it from the others (seen in tmux)."""
    app = ListHost(
        catalogue(
            environments={"production": Environment("production", "#cc0000", True)}, prod_env="production"
        )
    )
    async with app.run_test(size=(56, 20)) as pilot:
        tl = app.query_one(TargetList)
        tl.set_usage(USAGE)
        await pilot.pause()
        tl.set_row_status("prod/Deploy", RowStatus("59m [proddeploy]", "calm"))
        await pilot.pause()
        painted = widget_lines(app, tl)
        assert "59m [proddeploy]" in painted[1], painted[1]
        assert "Produ" in painted[1], painted[1]  # its account, shortened rather than dropped
