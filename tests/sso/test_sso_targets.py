"""Identity Center roles in the catalogue: SSO profiles of the AWS config, roles discovered
through the portal (read from the discovery cache), grouping, chaining, and the cache."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from roleswitch.core import catalogue_cache
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.catalogue_cache import load_catalogue_cached
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.discovery import DiscoveredAccount, Discovery, DiscoveryCache

CONFIG = (
    "[sso-session corp]\n"
    "sso_start_url = https://corp.awsapps.com/start\n"
    "sso_region = eu-west-1\n\n"
    "[profile dev]\n"
    "sso_session = corp\n"
    "sso_account_id = 333333333333\n"
    "sso_role_name = PowerUserAccess\n"
    "region = eu-central-1\n\n"
    "[profile legacy-ops]\n"
    "sso_start_url = https://old.awsapps.com/start\n"
    "sso_region = us-east-1\n"
    "sso_account_id = 444444444444\n"
    "sso_role_name = OpsRole\n\n"
    "[profile keys]\n"
    "aws_access_key_id = AKIAEXAMPLE\n"
    "aws_secret_access_key = secret\n"
)
TOML_SSO = '[sso.china]\nstart_url = "https://cn.awsapps.com/start"\nregion = "cn-north-1"\n'
ACCOUNTS = (
    ("111111111111", "Production", ("AdministratorAccess", "ReadOnlyAccess")),
    ("333333333333", "Development", ("AdministratorAccess", "PowerUserAccess")),
)


def save_discovery(session_name: str, accounts=ACCOUNTS) -> None:
    session = load_sso_config().find(session_name)
    assert session is not None
    discovery = Discovery(
        session.name,
        session.start_url,
        datetime.now(UTC).replace(microsecond=0),
        tuple(DiscoveredAccount(a, name, roles) for a, name, roles in accounts),
    )
    assert DiscoveryCache().save(discovery)


def test_sso_profiles_of_both_forms_are_targets(home):
    home.write(config=CONFIG)
    catalogue = load_catalogue()
    dev = catalogue.find("dev")
    assert dev.valid and dev.is_sso and dev.origin == "aws-config" and dev.sso_session == "corp"
    assert (dev.account_id, dev.role_name, dev.region) == ("333333333333", "PowerUserAccess", "eu-central-1")
    assert dev.role_arn == "arn:aws:iam::333333333333:role/PowerUserAccess"
    assert dev.source_label == "sso:corp" and not dev.needs_mfa
    legacy = catalogue.find("legacy-ops")  # the legacy form: the session is named after the profile
    assert legacy.valid and legacy.sso_session == "legacy-ops" and legacy.account_id == "444444444444"
    assert catalogue.find("keys") is None
    assert catalogue.problems == ()


def test_an_sso_profile_with_a_missing_session_is_listed_with_its_reason(home):
    home.write(config="[profile lost]\nsso_session = gone\nsso_account_id = 1234\nsso_role_name = R\n")
    lost = load_catalogue().find("lost")
    assert lost is not None and not lost.valid and "12 digits" in lost.problem
    home.write(
        config="[profile lost]\nsso_session = gone\nsso_account_id = 123456789012\nsso_role_name = R\n"
    )
    catalogue = load_catalogue()
    assert "sso_session" in catalogue.find("lost").problem
    assert any("[sso-session gone]" in problem for problem in catalogue.problems)


def test_discovered_roles_are_targets_named_session_account_role(home):
    home.write(config=CONFIG, toml='[settings]\nregion = "eu-west-2"\n' + TOML_SSO)
    save_discovery("corp")
    save_discovery("china", accounts=(("555555555555", "Data Platform", ("Analyst",)),))
    catalogue = load_catalogue()
    admin = catalogue.find("corp/Production/AdministratorAccess")
    assert admin is not None and admin.valid and admin.origin == "sso" and admin.is_sso
    assert (admin.account_id, admin.account_name, admin.role_name) == (
        "111111111111",
        "Production",
        "AdministratorAccess",
    )
    assert admin.region == "eu-west-2" and admin.sso_session == "corp"
    analyst = catalogue.find("china/Data-Platform/Analyst")  # the TOML [sso.NAME] form
    assert analyst.role_arn == "arn:aws-cn:iam::555555555555:role/Analyst"
    assert catalogue.notes == ()  # every session was discovered


def test_a_discovered_role_takes_the_sign_ins_region_when_roleswitch_names_none(home):
    home.write(config=CONFIG, toml=TOML_SSO)
    save_discovery("corp")
    save_discovery("china", accounts=(("555555555555", "Data Platform", ("Analyst",)),))
    catalogue = load_catalogue()
    assert catalogue.find("corp/Production/AdministratorAccess").region == "eu-west-1"
    assert catalogue.find("china/Data-Platform/Analyst").region == "cn-north-1"


def test_a_session_never_discovered_is_a_note_not_a_problem(home):
    home.write(config=CONFIG)
    catalogue = load_catalogue()
    assert catalogue.problems == ()
    assert any("SSO session corp were never discovered" in note for note in catalogue.notes)
    assert any("roleswitch login corp" in note for note in catalogue.notes)


def test_one_account_row_per_account_id_named_once(home):
    toml = (
        '[accounts.prod]\nid = "111111111111"\nname = "Prod (billing)"\nsource_profile = "keys"\n\n'
        '[[accounts.prod.roles]]\nname = "Deploy"\n'
    )
    home.write(config=CONFIG, toml=toml)
    save_discovery("corp")
    catalogue = load_catalogue()
    rows = {account.account_id: account for account in catalogue.accounts()}
    # The TOML's name wins for its account; the config's SSO profile takes the discovered name.
    assert rows["111111111111"].name == "Prod (billing)"
    assert [t.name for t in rows["111111111111"].targets] == [
        "prod/Deploy",
        "corp/Production/AdministratorAccess",
        "corp/Production/ReadOnlyAccess",
    ]
    assert rows["333333333333"].name == "Development"
    assert catalogue.find("dev").account_name == "Development"  # found by the account's name
    assert rows["333333333333"].targets[0].name == "dev"
    assert len(catalogue.accounts()) == 3  # 111..., 333..., and the legacy profile's 444...


def test_a_written_target_wins_over_a_discovered_one_of_the_same_name(home):
    clash = "[profile corp/Production/ReadOnlyAccess]\nrole_arn = arn:aws:iam::111111111111:role/RO\n"
    home.write(config=CONFIG + "\n" + clash + "source_profile = keys\n")
    save_discovery("corp")
    catalogue = load_catalogue()
    found = [t for t in catalogue.targets if t.name == "corp/Production/ReadOnlyAccess"]
    assert len(found) == 1 and found[0].origin == "aws-config" and found[0].role_name == "RO"
    assert catalogue == load_catalogue()  # the same answer every time


CHAINED = (
    '[accounts.dev]\nid = "333333333333"\nsource_profile = "corp/Development/PowerUserAccess"\n\n'
    '[[accounts.dev.roles]]\nname = "Deployer"\n{extra}'
)


def test_a_toml_role_may_take_a_discovered_sso_role_as_its_source(home):
    home.write(config=CONFIG, toml=CHAINED.format(extra=""))
    save_discovery("corp")
    deployer = load_catalogue().find("dev/Deployer")
    assert deployer.valid and deployer.sso_chained and not deployer.is_sso
    assert deployer.sso_session == "corp" and deployer.sso_source == "333333333333/PowerUserAccess"
    assert deployer.source_label == "corp/Development/PowerUserAccess"


def test_a_toml_role_may_take_an_sso_profile_as_its_source(home):
    home.write(
        config=CONFIG, toml=CHAINED.format(extra="").replace("corp/Development/PowerUserAccess", "dev")
    )
    deployer = load_catalogue().find("dev/Deployer")
    assert deployer.valid and deployer.sso_source == "333333333333/PowerUserAccess"


def test_an_sso_source_not_discovered_says_to_discover(home):
    home.write(config=CONFIG, toml=CHAINED.format(extra=""))
    problem = load_catalogue().find("dev/Deployer").problem
    assert problem.startswith("source_profile 'corp/Development/PowerUserAccess' is not among the roles")
    assert "roleswitch discover corp" in problem


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("duration = 7200\n", "within 1 hour"),
        ('mfa_serial = "arn:aws:iam::333333333333:mfa/me"\n', "remove mfa_serial"),
    ],
)
def test_a_role_chained_from_sso_respects_what_sts_allows(home, extra, reason):
    home.write(config=CONFIG, toml=CHAINED.format(extra=extra))
    save_discovery("corp")
    deployer = load_catalogue().find("dev/Deployer")
    assert not deployer.valid and reason in deployer.problem
    home.write(config=CONFIG, toml=CHAINED.format(extra="duration = 3600\n"))
    assert load_catalogue().find("dev/Deployer").valid


def test_the_cache_returns_new_discoveries_at_once(home):
    home.write(config=CONFIG)
    first = load_catalogue_cached()
    assert first.find("corp/Production/AdministratorAccess") is None and first.notes
    save_discovery("corp")
    second = load_catalogue_cached()
    assert second.find("corp/Production/AdministratorAccess") is not None and second.notes == ()
    assert second == load_catalogue()
    save_discovery("corp", accounts=(("111111111111", "Production", ("Billing",)),))
    third = load_catalogue_cached()
    assert third.find("corp/Production/Billing") is not None
    assert third.find("corp/Production/AdministratorAccess") is None


def test_a_warm_hit_reads_no_discovery_file(home, monkeypatch):
    home.write(config=CONFIG)
    save_discovery("corp")
    built = load_catalogue_cached()
    assert built.find("corp/Development/PowerUserAccess").sso_session == "corp"

    def refuse(*args, **kwargs):
        raise AssertionError("a cache hit parsed a discovery file")

    monkeypatch.setattr(DiscoveryCache, "load", refuse)
    assert load_catalogue_cached() == built


def test_the_cache_key_knows_how_discovery_names_its_files(home):
    assert DiscoveryCache().path("https://x").name.startswith(catalogue_cache.DISCOVERY_PREFIX)
    assert os.path.basename(str(DiscoveryCache().path("https://x"))).endswith(".json")


def test_the_cache_key_knows_how_organizations_names_its_files():
    from roleswitch.core import organizations

    assert catalogue_cache.ORGANIZATION_PREFIX == organizations.CACHE_PREFIX
