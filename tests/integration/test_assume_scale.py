"""Assume through each kind of source against moto's STS (and the local Identity Center):
botocore gets only the source profile's chain, and resolves it as it would the whole
files; a large config is never parsed again by configparser."""

from __future__ import annotations

import sys
from datetime import timedelta

import boto3

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.sts import StsClient
from tests.local.conftest import center, clock, sso_profile  # noqa: F401  (fixtures)
from tests.local.identity_center_helpers import write_cli_token_cache
from tests.unit import test_source_session

MANY = 4000
parses = test_source_session.parses  # the fixture counting botocore's configparser reads


def many_profiles() -> str:
    return "".join(
        f"\n[profile filler-{i}]\nrole_arn = arn:aws:iam::123456789012:role/F{i}\nsource_profile = corp\n"
        for i in range(MANY)
    )


def assume(name: str, parses: list[object]):
    target = next(t for t in load_catalogue().targets if t.name == name)
    parses.clear()  # the test's own setup (moto's IAM client) may have read the files
    return StsClient().assume(target)


def caller(result) -> str:
    creds = result.credentials
    client = boto3.client(
        "sts",
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
    )
    return client.get_caller_identity()["Arn"]


def test_a_large_config_is_not_parsed_again_on_assume(home, moto, parses):
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    home.write(
        f"[profile corp]\nregion = us-east-1\n\n[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n"
        + many_profiles(),
        f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
        + "".join(f"\n[cached-{i}]\naws_access_key_id = ASIA{i:016d}\n" for i in range(MANY)),
    )
    result = assume("admin", parses)
    assert parses == []
    assert ":assumed-role/Admin/" in caller(result)


def test_a_chained_role_source_is_assumed_as_botocore_would(home, moto, sts_calls, parses):
    user_arn, key, secret = moto.create_user("alice")
    hop_arn = moto.create_role("Hop", user_arn)
    role_arn = moto.create_role("Admin", hop_arn)
    home.write(
        f"[profile hop]\nrole_arn = {hop_arn}\nsource_profile = corp\nrole_session_name = via-hop\n\n"
        f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = hop\n" + many_profiles(),
        f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    result = assume("admin", parses)
    assert parses == []
    assert ":assumed-role/Admin/" in caller(result)
    assert sts_calls["AssumeRole"] == 2  # the hop (botocore's provider), then the target
    botocores = boto3.Session(profile_name="hop").get_credentials()
    assert botocores.method == "assume-role"
    assert (
        ":assumed-role/Hop/via-hop"
        in boto3.client(
            "sts",
            aws_access_key_id=botocores.access_key,
            aws_secret_access_key=botocores.secret_key,
            aws_session_token=botocores.token,
        ).get_caller_identity()["Arn"]
    )


def test_a_credential_process_source(home, moto, parses):
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    program = (
        f"{sys.executable} -c \"import json; print(json.dumps({{'Version': 1, "
        f"'AccessKeyId': '{key}', 'SecretAccessKey': '{secret}'}}))\""
    )
    home.write(
        f"[profile proc]\ncredential_process = {program}\n\n"
        f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = proc\n" + many_profiles(),
        "",
    )
    result = assume("admin", parses)
    assert parses == []
    assert ":assumed-role/Admin/" in caller(result)
    assert boto3.Session(profile_name="proc").get_credentials().access_key == key


def test_an_sso_profile_source(home, moto, center, sso_profile, parses):  # noqa: F811
    write_cli_token_cache(sso_profile, center, timedelta(hours=4))
    role_arn = moto.create_role("Admin", "arn:aws:iam::333333333333:root")
    home.config.write_text(
        home.config.read_text()
        + f"\n[profile admin]\nrole_arn = {role_arn}\nsource_profile = dev\n"
        + many_profiles()
    )
    result = assume("admin", parses)
    assert parses == []
    assert ":assumed-role/Admin/" in caller(result)
    assert center.calls["GetRoleCredentials"] == 1  # botocore's SSO provider, on the cut config
    assert boto3.Session(profile_name="dev").get_credentials().method == "sso"


def test_environment_credentials_source(home, moto, monkeypatch, parses):
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    home.write(
        f"[profile admin]\nrole_arn = {role_arn}\ncredential_source = Environment\n" + many_profiles(), ""
    )
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    result = assume("admin", parses)
    assert parses == []
    assert ":assumed-role/Admin/" in caller(result)
