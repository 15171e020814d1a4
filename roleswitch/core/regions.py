"""The region a target's STS call and SDKs end up using, and where it comes from.

A role profile often leaves its region to its source profile; `list` showed
`region=-` for those. This follows what the STS client does: the target's own
region, else what botocore resolves for the source profile (AWS_DEFAULT_REGION,
then the profile's `region`, the credentials file's winning over the config
file's), else us-east-1.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    for name, values, _line in _read_ini(credentials_path or paths.aws_credentials_path(), problems) or ():
        if values.get("region"):
            regions[name] = values["region"]
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
