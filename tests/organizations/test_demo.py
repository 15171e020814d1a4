"""The demo's `[[discover.organizations]]` table works as written: `roleswitch discover org`
lists moto's organisation through the demo user's keys, and a member's role is assumable."""

from __future__ import annotations

import argparse
import io

from roleswitch.core.organizations import OrganizationCache, load_organization_specs, organization_targets
from roleswitch.core.sts import StsClient
from roleswitch.demo import ORGANIZATION_ACCOUNTS, ORGANIZATION_ROLE, DemoSandbox
from roleswitch.discover_command import run_discover


def test_the_demo_organisation_is_discovered_and_its_roles_assumed(home) -> None:
    with DemoSandbox() as sandbox:
        err = io.StringIO()
        assert run_discover(argparse.Namespace(names=["org"]), err) == 0, err.getvalue()
        count = len(ORGANIZATION_ACCOUNTS)
        assert err.getvalue() == f"org: {count} accounts, {ORGANIZATION_ROLE} in each.\n"
        (spec,), problems = load_organization_specs()
        assert problems == [] and spec.file == str(sandbox.folder / "roleswitch.toml")
        found = OrganizationCache().load(spec)
        assert found is not None
        targets = organization_targets(spec, found)
        assert sorted(t.name for t in targets) == sorted(
            f"org/{name}/{ORGANIZATION_ROLE}" for name in ORGANIZATION_ACCOUNTS
        )
        result = StsClient().assume(targets[0])
        assert f":{targets[0].account_id}:assumed-role/{ORGANIZATION_ROLE}/" in result.assumed_arn
