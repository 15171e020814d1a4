"""The app keeps `[[discover.organizations]]` listings fresh: the real service
(launch.RealOrganizations) against moto's organisation, driven headless with Pilot."""

from __future__ import annotations

from datetime import timedelta

import pytest

from roleswitch.ui.launch import RealOrganizations
from tests.ui.helpers import make_app, notes, settle

ACME = '[[discover.organizations]]\nname = "acme"\nsource_profile = "mgmt"\nrole_name = "Admin"\n'
SIZE = (100, 30)


class Counting(RealOrganizations):
    """The real service, counting its listings; `listed_at` overrides what the cache says."""

    def __init__(self, listed_at=None) -> None:
        self.discovered: list[str] = []
        self.listed_at = listed_at

    def listed(self):
        found = super().listed()
        return found if self.listed_at is None else [(name, self.listed_at) for name, _ in found]

    def discover(self, name: str) -> int:
        self.discovered.append(name)
        return super().discover(name)


def org_app(home, service):
    app, _, clock = make_app(home)
    app.services.organizations = service
    return app, clock


async def started(app, pilot) -> None:
    await pilot.pause(0.4)  # the app reads what there is to refresh 0.3 s after its first frame
    for _ in range(5):  # the listed read, then the listing, then the catalogue's reload
        await settle(app, pilot)


async def test_an_organisation_never_listed_is_listed_at_start_and_its_roles_appear(organization, home):
    dev, prod = organization.add("dev", "prod")
    home.write(home.config.read_text(), toml=ACME)
    service = Counting()
    app, _ = org_app(home, service)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert service.discovered == ["acme"]
        assert "acme: 2 accounts found." in notes(app)
        assert app.catalogue.find("acme/dev/Admin").account_id == dev
        assert app.catalogue.find("acme/prod/Admin").account_id == prod


@pytest.mark.parametrize(
    ("age", "listed_again"), [(timedelta(minutes=20), False), (timedelta(hours=2), True)]
)
async def test_a_recent_listing_is_not_repeated_at_start(organization, home, age, listed_again):
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME)
    service = Counting()
    app, clock = org_app(home, service)
    service.listed_at = clock.now() - age
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert service.discovered == (["acme"] if listed_again else [])


async def test_a_failed_listing_is_one_warning_and_changes_nothing(organization, home):
    organization.add("dev")
    home.write(home.config.read_text(), credentials="", toml=ACME)  # the source profile is gone
    service = Counting()
    app, _ = org_app(home, service)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert service.discovered == ["acme"]
        (said,) = notes(app)
        assert "mgmt" in said and "Traceback" not in said and said.endswith(".")
        assert [n.severity for n in app._notifications] == ["warning"]
        assert app.catalogue.find("acme/dev/Admin") is None
        assert not list((home.root / ".cache" / "roleswitch").glob("organization-*"))


async def test_the_palette_lists_an_organisation_again(organization, home):
    organization.add("dev")
    home.write(home.config.read_text(), toml=ACME)
    service = Counting()
    app, clock = org_app(home, service)
    service.listed_at = clock.now()
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        assert service.discovered == []
        await pilot.press("ctrl+p")
        await pilot.press(*"refresh accounts: acme")
        for _ in range(20):
            await pilot.pause(0.05)
        await pilot.press("enter")
        await started(app, pilot)
        assert service.discovered == ["acme"]
        assert app.catalogue.find("acme/dev/Admin") is not None
