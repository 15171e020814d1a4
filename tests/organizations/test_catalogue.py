"""Organisation targets in the catalogue: read from the cache, no AWS call, assumable."""

from __future__ import annotations

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.catalogue_cache import load_catalogue_cached
from roleswitch.core.sts import StsClient
from roleswitch.discover_command import run_discover

ACME = '[[discover.organizations]]\nname = "acme"\nsource_profile = "mgmt"\nrole_name = "Admin"\n'


def test_never_listed_is_a_note_then_the_targets_come_from_the_cache(organization, home, monkeypatch) -> None:
    dev, prod = organization.add("dev", "prod")
    home.write(home.config.read_text(), toml=ACME)
    catalogue = load_catalogue_cached()
    assert [t.name for t in catalogue.targets if t.origin == "organizations"] == []
    assert not [p for p in catalogue.problems if "discover" in p]  # the table is known
    assert "The accounts of organisation acme were never listed; run `roleswitch discover acme`." in (
        catalogue.notes
    )

    import io

    assert run_discover(_names(), io.StringIO()) == 0
    monkeypatch.delenv("AWS_ENDPOINT_URL_ORGANIZATIONS")  # listing again needs no AWS call
    # The cached catalogue sees the new cache file (its key follows the file, by stat).
    targets = [t for t in load_catalogue_cached().targets if t.origin == "organizations"]
    assert [(t.name, t.account_id, t.valid) for t in targets] == [
        ("acme/dev/Admin", dev, True),
        ("acme/prod/Admin", prod, True),
    ]
    assert StsClient().assume(targets[0]).assumed_arn.startswith(f"arn:aws:sts::{dev}:assumed-role/Admin/")


def test_a_source_profile_that_does_not_exist_marks_the_targets(organization, home) -> None:
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME)
    import io

    assert run_discover(_names(), io.StringIO()) == 0
    home.write(home.config.read_text(), credentials="", toml=ACME)
    (target,) = [t for t in load_catalogue().targets if t.origin == "organizations"]
    assert target.problem == "source_profile 'mgmt' does not exist in the AWS config or credentials file."


def _names():
    import argparse

    return argparse.Namespace(names=[])


def test_organisation_roles_take_roleswitchs_region_setting_unless_their_table_names_one(organization, home):
    import io

    organization.add("dev")
    home.write(home.config.read_text(), toml='[settings]\nregion = "eu-west-2"\n' + ACME)
    assert run_discover(_names(), io.StringIO()) == 0
    assert load_catalogue().find("acme/dev/Admin").region == "eu-west-2"
    home.write(
        home.config.read_text(), toml='[settings]\nregion = "eu-west-2"\n' + ACME + 'region = "ap-south-1"\n'
    )
    assert load_catalogue().find("acme/dev/Admin").region == "ap-south-1"
