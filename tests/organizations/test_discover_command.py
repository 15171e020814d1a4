"""`roleswitch discover [NAME ...]`: organisations (moto) and SSO sessions (the local Identity
Center) refreshed, one line each on stderr, one sentence per failure and exit 1."""

from __future__ import annotations

import argparse
import io
from datetime import timedelta

import pytest

from roleswitch.core.organizations import OrganizationCache, load_organization_specs
from roleswitch.core.sso.config import load_sso_config
from roleswitch.core.sso.discovery import DiscoveryCache
from roleswitch.discover_command import add_arguments, run_discover
from tests.local.conftest import center, clock, sso_profile  # noqa: F401  (fixtures)
from tests.local.identity_center_helpers import write_cli_token_cache
from tests.organizations.conftest import source_profile

ACME = '[[discover.organizations]]\nname = "acme"\nsource_profile = "mgmt"\nrole_name = "Admin"\n'


def run(*names: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    err = io.StringIO()
    code = run_discover(parser.parse_args(list(names)), err)
    return code, err.getvalue()


def test_an_organisation_is_listed_and_cached(organization, home) -> None:
    organization.add("dev", "prod", "test")
    home.write(home.config.read_text(), toml=ACME)
    assert run() == (0, "acme: 3 accounts, Admin in each.\n")
    (spec,), _ = load_organization_specs()
    cached = OrganizationCache().load(spec)
    assert cached is not None and [n for _, n in cached.accounts] == ["dev", "prod", "test"]


def test_a_long_listing_shows_progress(organization, home, monkeypatch) -> None:
    monkeypatch.setattr("roleswitch.discover_command.PROGRESS_EVERY", 0.0)
    organization.add(*(f"team-{n}" for n in range(24)))
    home.write(home.config.read_text(), toml=ACME)
    assert run() == (
        0,
        "acme: 19 accounts so far\nacme: 24 accounts so far\nacme: 24 accounts, Admin in each.\n",
    )


def test_a_failure_is_one_sentence_exit_1_and_the_cache_is_kept(organization, home) -> None:
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME + ACME.replace("acme", "corp").replace("mgmt", "viewer"))
    _, key, secret = organization.moto.create_user("viewer", can_assume=False)
    source_profile(home, "viewer", (key, secret))
    assert run() == (0, "acme: 1 account, Admin in each.\ncorp: 1 account, Admin in each.\n")
    (_, corp), _ = load_organization_specs()
    before = OrganizationCache().path(corp).read_bytes()
    organization.moto.enforce_auth()  # from now on the viewer may not list accounts

    code, err = run("corp")
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("roleswitch: Access denied listing the accounts of")
    assert OrganizationCache().path(corp).read_bytes() == before


def test_a_bad_entry_is_reported_and_the_others_still_refreshed(organization, home) -> None:
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME + '[[discover.organizations]]\nsource_profile = "x"\n')
    code, err = run()
    assert code == 1
    assert err == (
        f"roleswitch: {home.toml}, line 5: organisation 'x': role_name is missing. It was skipped.\n"
        "acme: 1 account, Admin in each.\n"
    )


def test_an_unknown_name_is_a_usage_error(organization, home) -> None:
    home.write(home.config.read_text(), toml=ACME)
    assert run("acme", "nope") == (
        2,
        "roleswitch: there is no organisation or SSO session named nope (there are: acme).\n",
    )


def test_nothing_configured(home) -> None:
    code, err = run()
    assert code == 1 and err.startswith("roleswitch: nothing to discover; add a [[discover.organizations]]")


@pytest.fixture
def corp_signed_in(center, sso_profile):  # noqa: F811 (the imported fixtures)
    write_cli_token_cache(sso_profile, center, timedelta(hours=8))


def test_sso_sessions_signed_in_are_refreshed_too(organization, home, corp_signed_in) -> None:
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME)
    code, err = run()
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == "acme: 1 account, Admin in each."
    assert lines[1].startswith("corp: ") and lines[1].endswith(" roles.")
    assert DiscoveryCache().load(load_sso_config().find("corp")) is not None  # type: ignore[arg-type]


def test_a_session_not_signed_in_is_skipped_unless_named(organization, home, sso_profile) -> None:  # noqa: F811
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME)
    assert run() == (
        0,
        "acme: 1 account, Admin in each.\ncorp: not signed in, skipped (roleswitch login corp).\n",
    )
    code, err = run("corp")
    assert code == 1
    assert err == (
        "roleswitch: The SSO session corp is not signed in; run `roleswitch login corp` and try again.\n"
    )
