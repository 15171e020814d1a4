"""The catalogue cache answers only while the files it was built from are unchanged."""

from __future__ import annotations

import json
import os
import stat

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.catalogue_cache import _TARGET_FIELDS, load_catalogue_cached

CONFIG = "[profile corp]\nregion = eu-west-1\n\n[profile admin]\nrole_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = corp\n"
TOML = '[accounts.prod]\nid = "222222222222"\nname = "Production"\nsource_profile = "corp"\n\n[[accounts.prod.roles]]\nname = "Deploy"\n'


def entry(home):
    return home.root / ".cache" / "roleswitch" / "catalogue.json"


def test_a_second_load_comes_from_the_cache_and_equals_a_full_load(home):
    home.write(config=CONFIG, toml=TOML)
    first = load_catalogue_cached()
    assert entry(home).exists() and stat.S_IMODE(entry(home).stat().st_mode) == 0o600
    second = load_catalogue_cached()
    assert second == first == load_catalogue()
    assert [t.name for t in second.accounts()[0].targets] == ["prod/Deploy"]


def test_any_change_to_a_source_file_is_seen(home):
    home.write(config=CONFIG, toml=TOML)
    load_catalogue_cached()
    home.write(config=CONFIG.replace("Admin", "Owner"), toml=TOML)  # same size, new content
    assert load_catalogue_cached().find("admin").role_name == "Owner"
    home.toml.write_text(TOML.replace("Deploy", "Ship"))
    assert load_catalogue_cached().find("prod/Ship") is not None
    home.credentials.write_text("[other]\naws_access_key_id = A\naws_secret_access_key = b\n")
    assert load_catalogue_cached() == load_catalogue()


def test_a_new_session_in_the_credentials_file_keeps_the_cache(home):
    home.write(config=CONFIG, credentials="[corp]\naws_access_key_id = A\naws_secret_access_key = b\n")
    load_catalogue_cached()
    before = entry(home).stat().st_mtime_ns
    home.credentials.write_text(home.credentials.read_text().replace("= b", "= c"))  # keys rotated
    load_catalogue_cached()
    assert entry(home).stat().st_mtime_ns == before  # only section names matter


def test_a_damaged_cache_is_ignored_and_rewritten(home):
    home.write(config=CONFIG)
    load_catalogue_cached()
    entry(home).write_text("{not json")
    assert load_catalogue_cached() == load_catalogue()
    entry(home).write_text('{"key": "x"}')
    assert load_catalogue_cached() == load_catalogue()


def test_an_unwritable_cache_folder_only_costs_speed(home):
    home.write(config=CONFIG)
    folder = home.root / ".cache"
    folder.write_text("a file where the folder should be")
    assert load_catalogue_cached() == load_catalogue()
    os.unlink(folder)


def test_a_new_or_renamed_section_in_the_credentials_file_is_seen(home):
    keys = "aws_access_key_id = A\naws_secret_access_key = b\n"
    config = CONFIG.replace("[profile corp]\nregion = eu-west-1\n\n", "")  # corp: keys only
    home.write(config=config, credentials=f"[other]\n{keys}")
    assert load_catalogue_cached().find("admin").problem  # its source, corp, is nowhere
    home.credentials.write_text(f"[other]\n{keys}  [corp]\n{keys}")  # indented: still a section
    assert load_catalogue_cached() == load_catalogue()
    assert load_catalogue_cached().find("admin").problem is None
    home.credentials.write_text(f"\ufeff[corp]\n{keys}")  # the first line, after a BOM
    assert load_catalogue_cached().find("admin").problem is None
    home.credentials.write_text(f"\ufeff[crop]\n{keys}")
    assert load_catalogue_cached().find("admin").problem


def test_values_in_runs_are_stored_once_and_shared_when_loaded(home):
    roles = "".join(f'\n[[accounts.prod.roles]]\nname = "R{n}"\n' for n in range(50))
    home.write(config=CONFIG, toml=TOML + roles)
    load_catalogue_cached()
    columns = dict(zip(_TARGET_FIELDS, json.loads(entry(home).read_text())["targets"], strict=True))
    assert columns["account_id"][0] == "runs" and columns["name"][0] == "values"
    cached = load_catalogue_cached()
    assert cached == load_catalogue()
    toml_targets = [t for t in cached.targets if t.origin == "roleswitch"]
    assert len({id(t.account_id) for t in toml_targets}) == 1  # one string, not 51
    assert len({id(t.file) for t in cached.targets}) == 2  # one per file


def test_a_cache_whose_columns_do_not_add_up_is_ignored(home):
    home.write(config=CONFIG, toml=TOML)
    load_catalogue_cached()
    data = json.loads(entry(home).read_text())
    names = data["targets"][_TARGET_FIELDS.index("name")]
    assert names[0] == "values"
    names[1].pop()  # one column a target short: zipped as it is, a target would vanish
    entry(home).write_text(json.dumps(data))
    assert load_catalogue_cached() == load_catalogue()
    data["targets"][0] = ["zipped", []]
    entry(home).write_text(json.dumps(data))
    assert load_catalogue_cached() == load_catalogue()


def test_a_change_to_the_code_that_builds_targets_misses_the_cache(home, monkeypatch):
    from roleswitch.core import catalogue, catalogue_cache

    home.write(config=CONFIG, toml=TOML)
    load_catalogue_cached()
    loads = []
    real = catalogue.load_catalogue
    monkeypatch.setattr(
        catalogue, "load_catalogue", lambda *files, **options: loads.append(files) or real(*files, **options)
    )
    load_catalogue_cached()
    assert loads == []  # warm
    # A validation rule or a field changed: what the cache holds was built by other code.
    monkeypatch.setattr(catalogue_cache, "_code_fingerprint", lambda: "validate.py changed", raising=False)
    assert load_catalogue_cached() == load_catalogue()
    assert len(loads) == 1
    load_catalogue_cached()
    assert len(loads) == 1  # cached again, under the new code's key


def test_the_code_fingerprint_follows_field_order_and_each_builder_module(monkeypatch):
    from roleswitch.core import catalogue_cache

    before = catalogue_cache._code_fingerprint()
    for name in catalogue_cache._BUILDERS:
        assert f"{name}:" in before and f"{name}:?" not in before
    monkeypatch.setattr(catalogue_cache, "_TARGET_FIELDS", tuple(reversed(_TARGET_FIELDS)))
    assert catalogue_cache._code_fingerprint() != before
