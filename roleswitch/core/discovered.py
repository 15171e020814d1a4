"""Targets found rather than written: roles discovered through IAM Identity Center, and
a role in each account of an AWS organisation (`[[discover.organizations]]`).

`discovered_targets` is the one place they join the targets of the AWS config and the
TOML; each discovery source hands it a batch (each SSO session's and each organisation's
last discovery, read from its cache, so nothing here calls AWS). SSO batches come first.
Rules, the same for every source:
- a discovered name equal to a config/TOML target's name is dropped (the one written
  down wins), as is a later batch's repeat of an earlier one's;
- an account id named by no config/TOML account takes the discovered name, so the
  account's row is named once, and the written targets there can be found by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from roleswitch.core.model import Settings, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.core.organizations import OrganizationSpec
    from roleswitch.core.sso.config import SsoConfig


@dataclass(frozen=True, slots=True)
class Discovered:
    """Every target (the written ones first, then the discovered) and what to tell the person."""

    targets: list[Target]
    notes: list[str]


def discovered_targets(
    defined: Sequence[Target],
    account_names: dict[str, str],
    *,
    sso: SsoConfig | None,
    settings: Settings,
    discovery_folder: Path | None = None,
    organizations: Sequence[OrganizationSpec] = (),
) -> Discovered:
    """`defined` plus the discovered targets; fills `account_names` for ids it lacks."""
    batches: list[list[Target]] = []
    notes: list[str] = []
    if sso is not None and sso.sessions:
        _sso_batches(sso, settings, discovery_folder, batches, notes)
    if organizations:
        _organization_batches(organizations, settings, discovery_folder, batches, notes)
    if not batches:
        return Discovered(list(defined), notes)
    return Discovered(_merged(defined, account_names, batches), notes)


def _sso_batches(
    sso: SsoConfig,
    settings: Settings,
    folder: Path | None,
    batches: list[list[Target]],
    notes: list[str],
) -> None:
    from roleswitch.core.sso.discovery import DiscoveryCache
    from roleswitch.core.sso.targets import discovered_targets as sso_targets

    cache = DiscoveryCache(folder)
    for session in sso.sessions:
        discovery = cache.load(session)
        if discovery is None:
            if session.legacy:
                continue  # made by a profile's own sso_start_url: that profile is listed already
            notes.append(
                f"The accounts and roles of SSO session {session.name} were never discovered; run "
                f"`roleswitch login {session.name}` (or `roleswitch discover {session.name}` when "
                "signed in)."
            )
            continue
        file = str(cache.path(session.start_url))
        # No profile names a region for a discovered role: roleswitch's own setting, else the
        # region the sign-in lives in (where the organisation most likely works).
        region = settings.region or session.region
        batches.append(sso_targets(discovery, session, region=region, file=file))


def _organization_batches(
    specs: Sequence[OrganizationSpec],
    settings: Settings,
    folder: Path | None,
    batches: list[list[Target]],
    notes: list[str],
) -> None:
    from roleswitch.core.organizations import OrganizationCache, organization_targets

    cache = OrganizationCache(folder)
    for spec in specs:
        found = cache.load(spec)
        if found is None:
            notes.append(
                f"The accounts of organisation {spec.name} were never listed; "
                f"run `roleswitch discover {spec.name}`."
            )
            continue
        # Like a TOML account's roles: the table's region, else roleswitch's region setting.
        batches.append(organization_targets(replace(spec, region=spec.region or settings.region), found))


def _merged(
    defined: Sequence[Target], account_names: dict[str, str], batches: Iterable[list[Target]]
) -> list[Target]:
    taken = {t.name for t in defined}
    found: list[Target] = []
    new_names: dict[str, str] = {}
    for batch in batches:
        for target in batch:
            if target.name in taken:
                continue
            taken.add(target.name)
            found.append(target)
            name = target.account_name
            if name and target.account_id not in account_names:
                new_names.setdefault(target.account_id, name)
    account_names.update(new_names)
    named = [
        replace(t, account_name=new_names[t.account_id])
        if t.account_name is None and t.account_id in new_names
        else t
        for t in defined
    ]
    return named + found
