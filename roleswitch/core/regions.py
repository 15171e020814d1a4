"""The region a target's STS call and SDKs end up using, and where it comes from.

A role profile often leaves its region to its source profile; `list` showed
`region=-` for those. This follows what the STS client does: the target's own
region, else what botocore resolves for the source profile (AWS_DEFAULT_REGION,
then the profile's `region`, the credentials file's winning over the config
file's), else us-east-1. In the credentials file `[DEFAULT]` is no profile: botocore
gives its keys to every section there (but not to profiles only in the config file).
"""

from __future__ import annotations

import functools
import re
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


# --- a partition's regions, for picking a session's region ------------------------------

_ARN_PARTITION_RE = re.compile(r"^arn:([a-z][a-z0-9-]{0,31}):", re.ASCII)
# A region's name: eu-west-1, us-gov-west-1, eusc-de-east-1 (botocore's `-global`
# pseudo-regions are not one).
REGION_RE = re.compile(r"^[a-z]{2,8}(?:-[a-z]+)+-\d{1,2}$", re.ASCII)
DEFAULT_PARTITION = "aws"


def check_region(region: str) -> str:
    """`region` if it is a region's name (any partition's, today's or a new one's), else
    the one sentence."""
    from roleswitch.core.errors import ValidationError

    if not REGION_RE.fullmatch(region):
        raise ValidationError(f"region '{region}' is not a region name like eu-west-1.")
    return region


def unknown_region_note(region: str, role_arn: str | None) -> str | None:
    """One sentence when `region` is not among the regions botocore knows in the role's
    partition (a typo, or a region newer than this botocore): said, not refused."""
    partition = partition_of(role_arn)
    known = partition_regions(partition)
    if not known or region in known:
        return None
    return (
        f"{region} is not a region botocore knows in the {partition} partition; it is written as "
        "given (check the name if that was a typo)."
    )


def partition_of(arn: str | None) -> str:
    """The partition an ARN lives in (`aws`, `aws-cn`, `aws-us-gov`, ...); `aws` when the
    ARN is missing or not one."""
    match = _ARN_PARTITION_RE.match(arn or "")
    return match[1] if match else DEFAULT_PARTITION


def partition_regions(partition: str) -> tuple[str, ...]:
    """The regions of `partition`, sorted, from botocore's own partition data (the file its
    endpoint rules use); () for a partition botocore does not know. Its pseudo-regions
    (`aws-global`) are left out: no SDK call or console lives there."""
    return _all_partition_regions().get(partition, ())


@functools.cache
def _all_partition_regions() -> dict[str, tuple[str, ...]]:
    data = _data_loader().load_data("partitions")
    return {
        entry["id"]: tuple(sorted(name for name in entry.get("regions", {}) if REGION_RE.match(name)))
        for entry in data.get("partitions", [])
        if isinstance(entry, dict) and "id" in entry
    }


def _data_loader():
    """botocore's data loader, the one every session of roleswitch's shares (see
    aws.source_session): its answers are cached in it, for the STS clients too."""
    import botocore.session

    from roleswitch.core.aws.source_session import shared_data_loader

    return shared_data_loader(botocore.session.get_session())
