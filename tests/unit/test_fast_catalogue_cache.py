"""The catalogue cache keys the credentials file on what the catalogue uses from it: which
named sources are sections there. Other sections come and go without a cold start; a
named source appearing or going is always seen. Every cached answer equals a full load."""

from __future__ import annotations

import json

import pytest

from roleswitch.core import catalogue as catalogue_module
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.catalogue_cache import load_catalogue_cached

ARN = "arn:aws:iam::111111111111:role"
# admin -> middle -> base: a chain of role profiles whose end, `base`, has its keys only
# in the credentials file; a TOML account whose roles come from `tomlsrc`, also there only.
CONFIG = (
    f"[profile admin]\nrole_arn = {ARN}/Admin\nsource_profile = middle\n\n"
    f"[profile middle]\nrole_arn = {ARN}/Middle\nsource_profile = base\n"
)
TOML = '[accounts.prod]\nid = "222222222222"\nsource_profile = "tomlsrc"\n\n[[accounts.prod.roles]]\nname = "Deploy"\n'
KEYS = "aws_access_key_id = A\naws_secret_access_key = b\n"


def credentials(*names: str) -> str:
    return "".join(f"[{name}]\n{KEYS}\n" for name in names)


def entry(home):
    return home.root / ".cache" / "roleswitch" / "catalogue.json"


def problems(catalogue):
    return {t.name: t.problem for t in catalogue.targets}


@pytest.fixture
def no_full_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the catalogue was loaded in full")

    return lambda: monkeypatch.setattr(catalogue_module, "load_catalogue", refuse)


def test_unrelated_sections_coming_and_going_keep_the_cache_warm(home, no_full_load):
    home.write(config=CONFIG, credentials=credentials("base", "tomlsrc", "cached-1"), toml=TOML)
    first = load_catalogue_cached()
    assert first == load_catalogue()
    home.credentials.write_text(credentials("cached-2", "base", "tomlsrc", "cached-3"))
    expected = load_catalogue()
    no_full_load()
    assert load_catalogue_cached() == expected == first


@pytest.mark.parametrize("source", ["base", "tomlsrc"])
def test_a_named_source_appearing_or_going_is_always_seen(home, source):
    home.write(config=CONFIG, credentials=credentials("base", "tomlsrc"), toml=TOML)
    load_catalogue_cached()
    others = [name for name in ("base", "tomlsrc") if name != source]
    home.credentials.write_text(credentials("unrelated", *others))  # the source went
    gone = load_catalogue_cached()
    assert gone == load_catalogue()
    assert any(f"source_profile '{source}' does not exist" in (p or "") for p in problems(gone).values())
    home.credentials.write_text(credentials(*others, source))  # and came back
    back = load_catalogue_cached()
    assert back == load_catalogue()
    assert not any(problems(back).values())


def test_the_whole_chain_follows_its_end(home):
    home.write(config=CONFIG, credentials=credentials("tomlsrc"), toml=TOML)
    assert problems(load_catalogue_cached())["admin"] is not None  # base is missing
    home.credentials.write_text(credentials("tomlsrc", "base"))
    assert problems(load_catalogue_cached())["admin"] is None
    assert problems(load_catalogue_cached())["middle"] is None


def test_the_entry_lists_the_named_sources_and_nothing_else(home):
    home.write(config=CONFIG, credentials=credentials("base", "cached-1"), toml=TOML)
    load_catalogue_cached()
    assert json.loads(entry(home).read_text())["sources"] == {"base": True, "middle": False, "tomlsrc": False}


def test_a_credentials_file_that_is_not_utf8_is_reported_where_it_is_not(home):
    home.write(config=CONFIG, credentials=credentials("base", "tomlsrc"), toml=TOML)
    load_catalogue_cached()
    home.credentials.write_bytes(b"[base]\n\xff\n")
    assert load_catalogue_cached() == load_catalogue()
    home.credentials.write_bytes(b"[base]\n\n\xff\n")  # another byte: another sentence
    cached = load_catalogue_cached()
    assert cached == load_catalogue() and any("byte 8" in p for p in cached.problems)
    home.credentials.write_text(credentials("base", "tomlsrc"))
    assert load_catalogue_cached() == load_catalogue()


def test_a_deferred_write_happens_only_when_called(home, no_full_load):
    home.write(config=CONFIG, credentials=credentials("base", "tomlsrc"), toml=TOML)
    writes = []
    first = load_catalogue_cached(defer_write=writes.append)
    assert len(writes) == 1 and not entry(home).exists()
    writes[0]()
    assert entry(home).exists()
    no_full_load()
    assert load_catalogue_cached(defer_write=writes.append) == first and len(writes) == 1


def test_sections_answers_exactly_as_the_catalogues_section_names():
    import random

    from roleswitch.core.catalogue_cache import Sections
    from roleswitch.core.ini import section_names

    pieces = [
        "[",
        "]",
        "a",
        "b",
        "a]b",
        " ",
        "\t",
        "\x0c",
        "\x85",
        "\n",
        "\r\n",
        "\r",
        "DEFAULT",
        ";",
        "=",
        "é",
    ]
    names = ["a", "b", "a]b", "[a", "a ", " a", "DEFAULT", "é", "a\nb", "", "]"]
    rng = random.Random(17)
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 24)))
        expected = section_names(text)
        found = Sections(text)
        for name in names:
            assert (name in found) == (name in expected), (text, name)
    many = Sections("".join(f"[s{n}]\n" for n in range(40)))
    assert all(f"s{n}" in many for n in range(40)) and "s40" not in many and many.names is not None
