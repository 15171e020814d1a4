"""The command palette's roleswitch entries: words in any order, the list's ranking, at most
HIT_LIMIT entries a keystroke, the matched letters marked, and an index that follows the
catalogue. Pilot tests of the palette itself, and of the provider's search on the app."""

from __future__ import annotations

from textual.command import CommandList

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.console import ConsoleOpener
from roleswitch.ui.commands import HIT_LIMIT, AssumeCommands, query_terms, split_verb
from tests.ui.helpers import TOML, make_app, settle, write_sandbox

SIZE = (100, 30)


async def search(app, query: str) -> list:
    """The hits the palette gets from roleswitch's provider for `query`, in its order."""
    provider = AssumeCommands(app.screen)
    await provider.startup()
    return [hit async for hit in provider.search(query)]


async def texts(app, query: str) -> list[str]:
    return [hit.text for hit in await search(app, query)]


def many_roles(count: int) -> str:
    """The sandbox's TOML plus an account holding `count` roles."""
    roles = "".join(f'[[accounts.big.roles]]\nname = "Role{n:04d}"\n' for n in range(count))
    return TOML + '\n[accounts.big]\nid = "444444444444"\nname = "Big"\nsource_profile = "corp"\n' + roles


async def test_several_words_find_a_target_and_enter_assumes_it(home):
    write_sandbox(home)
    app, sts, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"assume prod admin")
        commands = app.screen.query_one(CommandList)
        for _ in range(40):  # until this query's entries replace the empty palette's
            await pilot.pause(0.05)
            if commands.option_count and str(commands.get_option_at_index(0).prompt).startswith(
                "assume: prod"
            ):
                break
        assert str(commands.get_option_at_index(0).prompt).startswith("assume: prod/Admin\n")
        await pilot.press("enter")
        await settle(app, pilot)
        assert sts.calls == [("prod/Admin", None)]


async def test_words_choose_the_verb_and_the_target(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE):
        assert (await texts(app, "assume prod admin"))[0] == "assume: prod/Admin"
        assert (await texts(app, "prod admin"))[:2] == ["assume: prod/Admin", "sdk profile: prod/Admin"]
        assert await texts(app, "sdk prof staging dep") == ["sdk profile: staging/Deploy"]
        assert await texts(app, "assume:staging/readonly") == ["assume: staging/ReadOnly"]
        assert await texts(app, "assume: staging/readonly") == ["assume: staging/ReadOnly"]
        # "a" may be the verb or a target's letter: the verb's entries come first.
        found = await texts(app, "a")
        assert found[:5] == [f"assume: {t.name}" for t in app.catalogue.targets if t.valid]
        assert "sdk profile: prod/Admin" in found
        assert "assume: broken" not in found and "sdk profile: broken" not in found  # invalid
        assert await texts(app, "nothing like it") == []


async def test_at_most_hit_limit_entries_ranked_like_the_list(home):
    write_sandbox(home, toml=many_roles(300))
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE):
        assert len(app.catalogue.targets) > 300
        found = await texts(app, "assume role")
        assert len(found) == HIT_LIMIT
        assert found[0] == "assume: big/Role0000"
        assert len(await texts(app, "role")) == HIT_LIMIT  # both verbs: still capped
        # A role named exactly the term, then one starting a word with it, then its letters scattered.
        ranked = await texts(app, "assume admin")
        assert ranked == ["assume: prod/Admin", "assume: legacy-admin"]
        assert (await texts(app, "assume role0299"))[0] == "assume: big/Role0299"
        provider = AssumeCommands(app.screen)
        assert len([hit async for hit in provider.discover()]) == HIT_LIMIT  # the empty palette too


async def test_matched_letters_are_marked(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE):
        (hit,) = await search(app, "assume stag read")
        text = "assume: staging/ReadOnly"
        marked = sorted((span.start, span.end) for span in hit.match_display.spans)
        assert [text[begin:end] for begin, end in marked] == ["assume", "stag", "Read"]
        (hit,) = await search(app, "sdk prof dep")
        marked = sorted((span.start, span.end) for span in hit.match_display.spans)
        assert [hit.text[begin:end] for begin, end in marked] == ["sdk", "prof", "Dep"]


async def test_the_entries_follow_a_catalogue_read_again(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    async with app.run_test(size=SIZE) as pilot:
        assert await texts(app, "assume role0001") == []
        home.write(toml=many_roles(3))
        app.catalogue_reloaded(load_catalogue())
        await pilot.pause()
        assert await texts(app, "assume role0001") == ["assume: big/Role0001"]


async def test_console_url_and_other_commands_match_by_words(home):
    write_sandbox(home)
    app, _, _ = make_app(home)
    app.services.console = ConsoleOpener
    async with app.run_test(size=SIZE) as pilot:
        assert await texts(app, "console") == []  # no session to open
        await pilot.press(*"prod admin", "enter")
        await settle(app, pilot)
        assert app.session is not None
        assert (await texts(app, "console"))[0] == "console URL: copy"
        assert (await texts(app, "copy url"))[0] == "console URL: copy"


def test_a_query_names_a_verb_by_the_starts_of_its_words():
    assert split_verb(("assume", "prod")) == (("assume",), ("assume",))
    assert split_verb(("ass", "prod")) == (("ass",), ("assume",))
    assert split_verb(("assume:", "prod")) == (("assume:",), ("assume",))
    assert split_verb(("sdk", "profile:", "prod")) == (("sdk", "profile:"), ("sdk", "profile"))
    assert split_verb(("sdk", "pro", "prod")) == (("sdk", "pro"), ("sdk", "profile"))
    assert split_verb(("sd", "profile")) == (("sd",), ("sdk", "profile"))  # a cut word ends it
    assert split_verb(("prod", "assume")) == ((), None)
    assert split_verb(()) == ((), None)
    assert query_terms("Assume:Prod  Admin") == ("assume:", "prod", "admin")
    assert query_terms("team:dev") == ("team:dev",)
