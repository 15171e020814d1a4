"""An edit of the AWS config does not parse roleswitch's TOML again: what the TOML alone
gives (settings, its targets, account names and labels, its problems) is kept beside the
catalogue's cache, keyed on the TOML's bytes, and the result equals a full load."""

from __future__ import annotations

import stat

import roleswitch.core.catalogue as catalogue_module
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.catalogue_cache import TOML_PART_FILE, load_catalogue_cached

CONFIG = (
    "[profile corp]\nregion = eu-west-1\n\n[profile admin]\n"
    "role_arn = arn:aws:iam::111111111111:role/Admin\nsource_profile = corp\n\n[profile bad]\nrole_arn = nope\n"
)
TOML = (
    '[settings]\nsource_profile = "corp"\n\n[environments.production]\ncolour = "red"\nconfirm = true\n\n'
    '[accounts.prod]\nid = "111111111111"\nname = "Production"\nenvironment = "production"\ntags = ["a"]\n\n'
    '[[accounts.prod.roles]]\nname = "Deploy"\n\n[[accounts.prod.roles]]\nname = "Odd"\nsurprise = 1\n\n'
    "[mystery]\nx = 1\n"
)


def part_file(home):
    return home.root / ".cache" / "roleswitch" / TOML_PART_FILE


def test_a_config_edit_takes_the_tomls_part_from_the_cache_and_equals_a_full_load(home, monkeypatch):
    home.write(config=CONFIG, toml=TOML)
    first = load_catalogue_cached()
    assert first.problems  # the TOML's own and the config's, in a full load's order
    assert stat.S_IMODE(part_file(home).stat().st_mode) == 0o600
    home.config.write_text(
        CONFIG + "\n# an edit\n[profile more]\nrole_arn = arn:aws:iam::333333333333:role/X\n"
    )
    expected = load_catalogue()

    def never(*args, **kwargs):
        raise AssertionError("the TOML was read again")

    monkeypatch.setattr(catalogue_module, "_read_toml", never)
    again = load_catalogue_cached()
    assert again == expected
    assert again.find("more") is not None and again.find("prod/Deploy").environment == "production"
    assert again.find("admin").tags == ("a",)  # the TOML account's labels reach the config's target


def test_a_toml_edit_reads_the_toml_again(home):
    home.write(config=CONFIG, toml=TOML)
    load_catalogue_cached()
    home.toml.write_text(TOML.replace('"Deploy"', '"Ship"'))
    home.config.write_text(CONFIG + "\n")
    assert load_catalogue_cached().find("prod/Ship") is not None
    assert load_catalogue_cached() == load_catalogue()


def test_a_toml_with_sso_or_discover_tables_keeps_no_part(home):
    sso = '\n[sso.corp]\nstart_url = "https://corp.awsapps.com/start"\nregion = "eu-west-1"\n'
    home.write(config=CONFIG, toml=TOML + sso)
    assert load_catalogue_cached() == load_catalogue()
    assert not part_file(home).exists()


def test_a_damaged_part_is_ignored(home):
    home.write(config=CONFIG, toml=TOML)
    load_catalogue_cached()
    text = part_file(home).read_text()
    part_file(home).write_text(text.replace('"count":', '"count":1'))  # columns no longer add up
    home.config.write_text(CONFIG + "\n")
    assert load_catalogue_cached() == load_catalogue()


def test_the_catalogue_says_whether_sso_sessions_or_organisations_are_configured(home):
    home.write(config=CONFIG, toml=TOML)
    for catalogue in (load_catalogue_cached(), load_catalogue_cached(), load_catalogue()):
        assert not catalogue.sso_configured and not catalogue.organizations_configured
    session = "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    home.config.write_text(CONFIG + session)  # a config edit: the TOML's part is used
    for catalogue in (load_catalogue_cached(), load_catalogue_cached(), load_catalogue()):
        assert catalogue.sso_configured and not catalogue.organizations_configured
    home.write(config=CONFIG, toml=TOML + '\n[discover.corp]\nsource_profile = "corp"\n')
    for catalogue in (load_catalogue_cached(), load_catalogue_cached(), load_catalogue()):
        assert catalogue.organizations_configured and not catalogue.sso_configured
