"""The region a target's STS call and SDKs end up using, and where it comes from.

A role profile often leaves its region to its source profile; `list` showed
`region=-` for those. This follows what the STS client does: the target's own
region, else what botocore resolves for the source profile (AWS_DEFAULT_REGION,
then the profile's `region`, the credentials file's winning over the config
file's), else us-east-1. In the credentials file `[DEFAULT]` is no profile: botocore
gives its keys to every section there (but not to profiles only in the config file).
"""

from __future__ import annotations

from collections.abc import Mapping

from roleswitch.core.ini import DEFAULTS
from roleswitch.core.model import Target

DEFAULT_REGION = "us-east-1"


def profile_regions(config_path=None, credentials_path=None) -> dict[str, str]:
    """Profile name -> `region`, as botocore merges the two files (credentials file last)."""
    from roleswitch.core import paths
    from roleswitch.core.catalogue import _profiles, _read_ini

    problems: list[str] = []  # the catalogue already reported them
    regions = {
        name: values["region"]
        for name, (values, _line) in _profiles(
            _read_ini(config_path or paths.aws_config_path(), problems)
        ).items()
        if values.get("region")
    }
    sections = _read_ini(credentials_path or paths.aws_credentials_path(), problems) or []
    defaults: dict[str, str] = {}
    for name, values, _line in sections:
        if name == DEFAULTS:
            defaults.update(values)
    for name, values, _line in sections:
        if name == DEFAULTS:
            continue  # no profile: its keys go to every section of this file, as configparser does
        merged = {**defaults, **values}
        if merged.get("region"):
            regions[name] = merged["region"]
        elif "region" in merged:
            regions.pop(name, None)  # an empty `region =` here still hides the config file's
    return regions


def effective_region(
    target: Target, regions: Mapping[str, str], environ: Mapping[str, str]
) -> tuple[str, str | None]:
    """(region, where it comes from): None for the target's own, else a profile name,
    `AWS_DEFAULT_REGION`, or `default`."""
    if target.region:
        return target.region, None
    from_environment = environ.get("AWS_DEFAULT_REGION")
    if from_environment:
        return from_environment, "AWS_DEFAULT_REGION"
    # Without a source profile the STS client uses boto3's default session.
    profile = (
        target.source_profile or environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE") or "default"
    )
    if regions.get(profile):
        return regions[profile], profile
    return DEFAULT_REGION, "default"
