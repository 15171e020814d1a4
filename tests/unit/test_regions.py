"""The region `list` shows is the one botocore resolves for the target's source."""

from __future__ import annotations

import os

import boto3
import pytest

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.regions import effective_region, profile_regions

ROLE = "arn:aws:iam::123456789012:role/R"
CONFIG = f"""\
[profile corp]
region = eu-west-1

[profile bare]

[profile both]
region = eu-west-2

[profile own]
role_arn = {ROLE}
source_profile = corp
region = ap-east-1

[profile from-corp]
role_arn = {ROLE}
source_profile = corp

[profile from-bare]
role_arn = {ROLE}
source_profile = bare

[profile from-both]
role_arn = {ROLE}
source_profile = both
"""
# botocore lets the credentials file's region win over the config file's.
CREDENTIALS = "[both]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\nregion = sa-east-1\n"


@pytest.mark.parametrize("environment_region", [None, "ca-central-1"])
def test_every_target_shows_the_region_botocore_would_use(home, monkeypatch, environment_region):
    home.write(config=CONFIG, credentials=CREDENTIALS)
    if environment_region:
        monkeypatch.setenv("AWS_DEFAULT_REGION", environment_region)
    else:
        monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    regions = profile_regions()
    for target in load_catalogue().targets:
        region, origin = effective_region(target, regions, os.environ)
        if target.region:
            assert (region, origin) == (target.region, None)
            continue
        expected = boto3.Session(profile_name=target.source_profile).region_name or "us-east-1"
        assert region == expected, target.name
        assert origin is not None
    found = {t.name: effective_region(t, regions, os.environ) for t in load_catalogue().targets}
    if environment_region is None:
        assert found["from-both"] == ("sa-east-1", "both")
        assert found["from-bare"] == ("us-east-1", "default")
        assert found["from-corp"] == ("eu-west-1", "corp")
    else:
        assert found["from-corp"] == (environment_region, "AWS_DEFAULT_REGION")


# botocore gives [DEFAULT]'s keys to every section of the credentials file (it is no profile
# of its own), but not to profiles that are only in the config file; an empty `region =` in
# the credentials file still wins over the config file's.
CONFIG_FOR_DEFAULTS = f"""\
{CONFIG}
[profile emptied]
region = eu-west-3

[profile from-keys-only]
role_arn = {ROLE}
source_profile = keys-only

[profile from-emptied]
role_arn = {ROLE}
source_profile = emptied
"""
CREDENTIALS_WITH_DEFAULTS = f"""\
[DEFAULT]
region = ap-south-1

{CREDENTIALS}
[keys-only]
aws_access_key_id = AKIAEXAMPLE2
aws_secret_access_key = y

[emptied]
aws_access_key_id = AKIAEXAMPLE3
aws_secret_access_key = z
region =
"""


def test_the_credentials_files_default_section_gives_its_region_as_botocore_does(home, monkeypatch):
    home.write(config=CONFIG_FOR_DEFAULTS, credentials=CREDENTIALS_WITH_DEFAULTS)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    regions = profile_regions()
    assert "DEFAULT" not in regions
    targets = load_catalogue().targets
    for target in targets:
        if not target.region:
            expected = boto3.Session(profile_name=target.source_profile).region_name or "us-east-1"
            assert effective_region(target, regions, os.environ)[0] == expected, target.name
    found = {t.name: effective_region(t, regions, os.environ) for t in targets}
    assert found["from-keys-only"] == ("ap-south-1", "keys-only")
    assert found["from-both"] == ("sa-east-1", "both")
    assert found["from-corp"] == ("eu-west-1", "corp")  # only in the config file
    assert found["from-emptied"] == ("us-east-1", "default")
