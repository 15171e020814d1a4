"""Environments, tags and remembered profiles in the TOML: parsed onto targets, checked like
every other value, carried to the same account's other targets, and kept by the cache."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roleswitch.core import catalogue as catalogue_module
from roleswitch.core import validate
from roleswitch.core.catalogue import load_catalogue, load_settings
from roleswitch.core.catalogue_cache import load_catalogue_cached
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Catalogue, Environment, Settings, Target
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.discovery import DiscoveredAccount, Discovery, DiscoveryCache

KEYS = "[corp]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"
CONFIG = (
    "[profile cfg-admin]\nrole_arn = arn:aws:iam::111111111111:role/CfgAdmin\nsource_profile = corp\n\n"
    "[profile other]\nrole_arn = arn:aws:iam::999999999999:role/Other\nsource_profile = corp\n"
)
TOML = """\
[settings]
source_profile = "corp"
order = "alphabetical"

[environments.production]
colour = "Red"
confirm = true

[environments.staging]
color = "#fa0"

[accounts.prod]
id = "111111111111"
name = "Production"
environment = "production"
tags = ["pci", "team-a"]
profile = "prod"

[[accounts.prod.roles]]
name = "Admin"
tags = ["admin", "pci"]

[[accounts.prod.roles]]
name = "ReadOnly"
environment = "staging"
profile = "prod-ro"

[accounts.dev]
id = "222222222222"
environment = "development"

[[accounts.dev.roles]]
name = "Dev"
"""


def load(home, toml: str = TOML, config: str = CONFIG) -> Catalogue:
    home.write(config=config, credentials=KEYS, toml=toml)
    return load_catalogue()


def test_accounts_and_roles_carry_environment_tags_and_profile_the_role_winning(home):
    catalogue = load(home)
    assert catalogue.problems == ()
    admin, read_only, dev = (catalogue.find(n) for n in ("prod/Admin", "prod/ReadOnly", "dev/Dev"))
    assert admin.valid and (admin.environment, admin.tags, admin.profile) == (
        "production",
        ("pci", "team-a", "admin"),  # the account's, then the role's new ones
        "prod",
    )
    assert (read_only.environment, read_only.tags, read_only.profile) == (
        "staging",
        ("pci", "team-a"),
        "prod-ro",
    )
    assert (dev.environment, dev.tags, dev.profile) == ("development", (), None)


def test_environments_settings_and_what_a_target_needs(home):
    catalogue = load(home)
    assert catalogue.settings.order == "alphabetical"
    assert dict(catalogue.settings.environments) == {
        "production": Environment("production", "#ff0000", True),
        "staging": Environment("staging", "#ffaa00", False),
    }
    admin, read_only, dev = (catalogue.find(n) for n in ("prod/Admin", "prod/ReadOnly", "dev/Dev"))
    assert catalogue.environment_of(admin) == Environment("production", "#ff0000", True)
    assert catalogue.needs_confirmation(admin) and not catalogue.needs_confirmation(read_only)
    assert catalogue.environment_of(dev) == Environment("development", None, False)  # named, not configured
    assert not catalogue.needs_confirmation(dev)
    assert catalogue.environment_of(catalogue.find("other")) is None
    assert load_settings()[0] == catalogue.settings  # status sees the same environments


def test_an_accounts_environment_and_tags_reach_its_other_targets_but_not_its_profile(home):
    catalogue = load(home)
    cfg = catalogue.find("cfg-admin")
    assert (cfg.environment, cfg.tags, cfg.profile) == ("production", ("pci", "team-a"), None)
    assert catalogue.needs_confirmation(cfg)
    other = catalogue.find("other")
    assert (other.environment, other.tags) == (None, ())


def test_discovered_sso_roles_of_the_account_are_production_too(home):
    config = (
        "[sso-session corp-sso]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
    )
    home.write(config=config, credentials=KEYS, toml=TOML)
    session = load_sso_config().find("corp-sso")
    accounts = (
        DiscoveredAccount("111111111111", "Production", ("AdministratorAccess",)),
        DiscoveredAccount("333333333333", "Sandbox", ("AdministratorAccess",)),
    )
    assert DiscoveryCache().save(
        Discovery(session.name, session.start_url, datetime.now(UTC).replace(microsecond=0), accounts)
    )
    catalogue = load_catalogue()
    prod = catalogue.find("corp-sso/Production/AdministratorAccess")
    assert prod.origin == "sso" and prod.environment == "production" and catalogue.needs_confirmation(prod)
    sandbox = catalogue.find("corp-sso/Sandbox/AdministratorAccess")
    assert sandbox.environment is None


@pytest.mark.parametrize(
    ("role_line", "reason"),
    [
        ('environment = ""', "environment '' must be 1 to 64 characters"),
        ("environment = 3", "environment must be a string."),
        ('tags = "pci"', "tags must be an array of strings"),
        ('tags = ["ok", 1]', "tag must be a string."),
        ('tags = ["line\\nbreak"]', "no line break"),
        ('profile = "a]b"', "profile name 'a]b'"),
        ('profile = "DEFAULT"', "[DEFAULT] is not a profile"),
        ('profile = ""', "profile must be the name of a profile"),
        ("profile = true", "profile must be the name of a profile"),
    ],
)
def test_a_bad_value_on_a_role_lists_it_as_invalid_with_the_reason(home, role_line, reason):
    toml = TOML.replace('name = "Admin"\ntags = ["admin", "pci"]\n', f'name = "Admin"\n{role_line}\n')
    catalogue = load(home, toml)
    admin = catalogue.find("prod/Admin")
    assert admin is not None and not admin.valid and reason in admin.problem
    assert admin.environment == "production"  # still in its account's colours
    assert catalogue.find("prod/ReadOnly").valid


def test_a_bad_value_on_an_account_marks_its_roles_and_is_not_spread(home):
    catalogue = load(home, TOML.replace('environment = "production"', "environment = 1"))
    assert "account 'prod': environment must be a string." in catalogue.find("prod/Admin").problem
    assert catalogue.find("cfg-admin").environment is None


def test_bad_environment_tables_and_order_are_reported_and_safe(home):
    toml = TOML.replace('colour = "Red"', 'colour = "rouge"\nshade = 2').replace(
        "confirm = true", 'confirm = "yes"'
    )
    toml = toml.replace('color = "#fa0"', 'color = "#fa0"\ncolour = "blue"')
    toml = toml.replace('order = "alphabetical"', 'order = "frecency"') + "[environments.qa]\n"
    toml += "[environments]\nbroken = 1\n"
    catalogue = load(home, toml)
    assert catalogue.settings.order == "usage"
    environments = catalogue.settings.environments
    assert environments["production"] == Environment("production", None, True)  # asks: the safe side
    assert environments["staging"].colour == "#0000ff"
    assert environments["qa"] == Environment("qa", None, False)
    assert "broken" not in environments
    text = "\n".join(catalogue.problems)
    for said in (
        "setting 'order': must be 'usage' or 'alphabetical', not 'frecency'. The default is used.",
        "environment 'production' has unknown key 'shade'; it was ignored.",
        "environment 'production': colour 'rouge' is not #rrggbb, #rgb or one of red,",
        "confirm must be true or false; roleswitch asks before each assume in it until that is fixed.",
        "environment 'staging' sets both colour and color; colour is used.",
        "environment 'broken' must be a table; it was ignored.",
    ):
        assert said in text
    assert all(problem.count(".") >= 1 and "\n" not in problem for problem in catalogue.problems)


def test_environments_that_are_not_a_table_are_reported(home):
    toml = "environments = 3\n" + TOML.split("[environments.production]")[0]
    catalogue = load(home, toml)
    assert catalogue.settings.environments == {}
    assert any("[environments] must be a table" in p for p in catalogue.problems)


def test_unknown_keys_are_still_reported(home):
    catalogue = load(home, TOML.replace('name = "Admin"\n', 'name = "Admin"\nenvironmnet = "x"\n'))
    assert "unknown key(s) environmnet" in catalogue.find("prod/Admin").problem


@pytest.mark.parametrize(
    ("given", "wanted"),
    [("#FA0", "#ffaa00"), (" #D70000 ", "#d70000"), ("Grey", "#808080"), ("gray", "#808080")],
)
def test_colours_are_always_rrggbb(given, wanted):
    assert validate.colour(given) == wanted


@pytest.mark.parametrize("given", ["#ff00", "#gg0000", "rouge", "", 3, None, "red\n"])
def test_colours_that_are_not_are_refused(given):
    with pytest.raises(ValidationError):
        validate.colour(given) if given != "red\n" else validate.colour("re d")


def test_a_cached_start_gives_the_same_targets_and_settings_as_a_cold_one(home, monkeypatch):
    home.write(config=CONFIG, credentials=KEYS, toml=TOML)
    cold = load_catalogue_cached()

    def no_full_load(*args, **kwargs):
        raise AssertionError("the warm start read the files")

    with monkeypatch.context() as patch:
        patch.setattr(catalogue_module, "load_catalogue", no_full_load)
        warm = load_catalogue_cached()
    assert warm == cold == load_catalogue()
    assert warm.find("prod/Admin").tags == ("pci", "team-a", "admin")
    assert isinstance(warm.find("cfg-admin").tags, tuple) and isinstance(warm.find("other").tags, tuple)
    assert warm.settings.environments["production"] == Environment("production", "#ff0000", True)
    assert warm.needs_confirmation(warm.find("cfg-admin"))


def test_the_defaults_change_nothing():
    target = Target("x", "aws-config", "arn:aws:iam::111111111111:role/X", "111111111111", "X")
    assert (target.environment, target.tags, target.profile) == (None, (), None)
    assert Settings().environments == {} and Settings().order == "usage"
    assert Catalogue((target,)).environment_of(target) is None
    assert not Catalogue((target,)).needs_confirmation(target)


def test_an_organisations_targets_of_the_account_are_production_too(home):
    from roleswitch.core.organizations import OrganizationAccounts, OrganizationCache

    acme = '[[discover.organizations]]\nname = "acme"\nsource_profile = "corp"\nrole_name = "Admin"\n'
    home.write(config=CONFIG, credentials=KEYS, toml=TOML + acme)
    listing = OrganizationAccounts(
        spec_name="acme",
        source_profile="corp",
        management_account_id="999999999999",
        fetched_at=datetime.now(UTC).replace(microsecond=0),
        accounts=(("111111111111", "prod"), ("444444444444", "lab")),
        partition="aws",
    )
    assert OrganizationCache().save(listing)
    catalogue = load_catalogue()
    found = {t.account_id: t for t in catalogue.targets if t.origin == "organizations"}
    assert found["111111111111"].environment == "production"
    assert found["111111111111"].tags == ("pci", "team-a") and found["111111111111"].profile is None
    assert found["444444444444"].environment is None
