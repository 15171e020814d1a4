"""A session's region is picked from its partition's regions, as botocore knows them."""

from __future__ import annotations

import botocore.session
import pytest

from roleswitch.core.regions import partition_of, partition_regions


@pytest.mark.parametrize(
    ("arn", "partition"),
    [
        ("arn:aws:sts::123456789012:assumed-role/Admin/me", "aws"),
        ("arn:aws-cn:iam::123456789012:role/Admin", "aws-cn"),
        ("arn:aws-us-gov:iam::123456789012:role/Admin", "aws-us-gov"),
        ("arn:aws-iso-b:iam::123456789012:role/Admin", "aws-iso-b"),
        (None, "aws"),
        ("", "aws"),
        ("not an arn", "aws"),
    ],
)
def test_partition_of_an_arn(arn, partition):
    assert partition_of(arn) == partition


def test_every_partition_botocore_knows_has_its_own_regions_and_no_pseudo_regions():
    session = botocore.session.get_session()
    for partition in session.get_available_partitions():
        regions = partition_regions(partition)
        assert regions == tuple(sorted(regions)) and regions, partition
        assert not any(name.endswith("-global") for name in regions)
        # botocore's per-service list (its endpoints.json) is within the partition's
        for region in session.get_available_regions("sts", partition_name=partition):
            assert region in regions or region.endswith("-global") or "fips" in region, (partition, region)
    assert "eu-west-1" in partition_regions("aws") and "cn-north-1" not in partition_regions("aws")
    assert partition_regions("aws-cn") == ("cn-north-1", "cn-northwest-1")


def test_an_unknown_partition_has_no_regions():
    assert partition_regions("aws-moon") == ()


def test_every_region_botocore_knows_passes_the_region_check():
    from roleswitch.core.errors import ValidationError
    from roleswitch.core.regions import check_region

    for partition in botocore.session.get_session().get_available_partitions():
        for region in partition_regions(partition):
            assert check_region(region) == region
    for bad in ("aws-global", "EU-WEST-1", "eu-west-1\n", "eu west 1", ""):
        with pytest.raises(ValidationError, match="not a region name"):
            check_region(bad)
