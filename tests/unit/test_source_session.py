"""The source session botocore gets only the source profile's chain of, and resolves
exactly as it would from the whole files (roleswitch.core.aws.source_session)."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable

import boto3
import botocore.configloader
import pytest
from botocore.exceptions import ProfileNotFound

from roleswitch.core.aws.source_session import chain_session, source_session

CREDENTIAL_PROCESS = (
    f"{sys.executable} -c \"import json; print(json.dumps({{'Version': 1, "
    "'AccessKeyId': 'AKIAPROCESS000000001', 'SecretAccessKey': 'process-secret'}))\""
)

CONFIG = f"""\
[default]
region = eu-west-1

[profile corp]
region = eu-west-2
s3 =
  max_concurrent_requests = 3
services = local

[services local]
sts =
  endpoint_url = http://127.0.0.1:9

[profile config-keys]
aws_access_key_id = AKIACONFIG0000000001
aws_secret_access_key = config-secret
region = ap-south-1

[profile process]
credential_process = {CREDENTIAL_PROCESS}

[profile both]
region = ca-central-1
aws_access_key_id = AKIACONFIG0000000002
aws_secret_access_key = shadowed-by-credentials

[profile partial]
aws_access_key_id = AKIAPARTIAL000000001

[profile no-keys]
region = sa-east-1

[profile sso-dev]
sso_session = corp-sso
sso_account_id = 333333333333
sso_role_name = PowerUserAccess

[sso-session corp-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1

[profile other]
region = us-west-2
"""

CREDENTIALS = """\
[corp]
aws_access_key_id = AKIACORP000000000001
aws_secret_access_key = corp-secret

[both]
aws_access_key_id = AKIABOTH000000000001
aws_secret_access_key = both-secret
aws_session_token = both-token

[only-credentials]
aws_access_key_id = AKIAONLY000000000001
aws_secret_access_key = only-secret
region = eu-north-1
"""

PROFILES = ("corp", "config-keys", "process", "both", "only-credentials", "default", "no-keys", "partial")


def resolved(make: Callable[[], boto3.Session]) -> object:
    """What a session resolves: its region, its credentials and how, or the error."""
    try:
        session = make()
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials else None
        return (session.region_name, frozen, getattr(credentials, "method", None))
    except Exception as error:  # the same error, said the same way, is the same behaviour
        return (type(error).__name__, str(error))


def scoped(session: boto3.Session) -> object:
    try:
        return session._session.get_scoped_config()
    except Exception as error:
        return (type(error).__name__, str(error))


@pytest.fixture
def parses(monkeypatch) -> list[object]:
    """The files botocore's configparser reads from now on."""
    seen: list[object] = []
    real = botocore.configloader.raw_config_parse

    def counting(path, *args, **kwargs):
        seen.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(botocore.configloader, "raw_config_parse", counting)
    return seen


@pytest.fixture
def files(home):
    home.write(CONFIG, CREDENTIALS)
    return home


@pytest.mark.parametrize("profile", PROFILES)
def test_each_source_kind_resolves_as_botocore_does(files, profile):
    ours = source_session(profile)
    assert ours._session.sees_chain_only  # the fast way, not the fallback
    assert resolved(lambda: ours) == resolved(lambda: boto3.Session(profile_name=profile))
    assert scoped(ours) == scoped(boto3.Session(profile_name=profile))


def test_a_missing_profile_is_botocores_profile_not_found(files):
    with pytest.raises(ProfileNotFound) as theirs:
        boto3.Session(profile_name="nope")
    with pytest.raises(ProfileNotFound) as ours:
        source_session("nope")
    assert str(ours.value) == str(theirs.value)


def test_environment_credentials_and_the_default_profile(files, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
    assert resolved(source_session) == resolved(boto3.Session)
    assert resolved(source_session)[2] == "env"
    explicit = {"aws_access_key_id": "AKIAEXPLICIT00000001", "aws_secret_access_key": "x"}
    assert resolved(lambda: source_session(**explicit)) == resolved(lambda: boto3.Session(**explicit))
    monkeypatch.setenv("AWS_PROFILE", "config-keys")  # env keys still win, as in botocore
    assert resolved(source_session) == resolved(boto3.Session)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert resolved(source_session) == resolved(boto3.Session)
    assert resolved(source_session)[2] == "config-file"


def test_the_chain_holds_only_what_the_profile_names(files):
    session = chain_session("corp")
    assert session is not None
    assert set(session.full_config["profiles"]) == {"corp"}
    assert session.full_config["services"] == {"local": {"sts": {"endpoint_url": "http://127.0.0.1:9"}}}
    sso = chain_session("sso-dev")
    assert (
        sso is not None
        and sso.full_config["sso_sessions"] == boto3.Session()._session.full_config["sso_sessions"]
    )
    assert (
        sso.full_config["profiles"]["sso-dev"] == boto3.Session()._session.full_config["profiles"]["sso-dev"]
    )
    client = source_session("corp").client("sts")
    assert client.meta.endpoint_url == boto3.Session(profile_name="corp").client("sts").meta.endpoint_url


def test_a_role_profile_sources_its_chain_from_both_files(home):
    home.write(
        "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b\n\n"
        "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = c\n\n"
        "[profile unrelated]\nregion = eu-west-1\n",
        "[c]\naws_access_key_id = AKIACHAIN00000000001\naws_secret_access_key = c-secret\n"
        "[b]\nexternal_id = from-credentials\n",
    )
    session = chain_session("a")
    assert session is not None
    full = boto3.Session()._session.full_config
    assert session.full_config["profiles"] == {name: full["profiles"][name] for name in ("a", "b", "c")}


def test_a_loop_of_source_profiles_ends(home):
    home.write(
        "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b\n"
        "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = a\n"
    )
    assert resolved(lambda: source_session("a")) == resolved(lambda: boto3.Session(profile_name="a"))


@pytest.mark.parametrize(
    "config",
    [
        "[DEFAULT]\nregion = eu-west-3\n[profile corp]\noutput = json\n",
        '[profile "corp"]\nregion = eu-west-3\n',
        "[profile  corp]\nregion = eu-west-3\n",
        "[other]\n  [profile corp]\nregion = eu-west-3\n",
        "[profile corp]\nregion = eu-west-3\n[profile corp]\nregion = us-east-2\n",
        "[profile corp]\rregion = eu-west-3\r",
        "\ufeff[profile corp]\nregion = eu-west-3\n",
        "[profile corp]\nregion = eu-west-3\nregion = us-east-2\n",
        "[profile corp]\ns3 =\n  not a pair\n",
    ],
    ids=[
        "DEFAULT",
        "quoted",
        "two-spaces",
        "indented",
        "repeated",
        "lone-cr",
        "bom",
        "dup-key",
        "bad-nested",
    ],
)
def test_files_only_a_whole_parse_can_read_go_to_botocore(home, config):
    home.write(config, "[corp]\naws_access_key_id = AKIACORP000000000001\naws_secret_access_key = s\n")
    assert chain_session("corp") is None
    assert resolved(lambda: source_session("corp")) == resolved(lambda: boto3.Session(profile_name="corp"))


@pytest.mark.parametrize(
    "config",
    [
        "[profile corp]\r\nregion = eu-west-3\r\n\r\n[profile x]\r\nregion = y\r\n",
        "# comment [profile corp]\n[profile corp]\n; region = no\nregion = eu-west-3\n  continued\n",
        "[profile corp]\nregion = eu-west-3\n\n[profile corp-2]\nsource_profile = corp\n",
        "[profile corp] trailing\nregion: eu-west-3\n",
        "[profile x]\nsource_profile = corp\n[profile corp]\nregion = eu-west-3\n",
    ],
    ids=["crlf", "comments-and-continuation", "prefix-name", "trailing-and-colon", "named-elsewhere"],
)
def test_plain_files_are_read_the_fast_way_as_botocore_reads_them(home, config):
    home.write(config, "[corp]\naws_access_key_id = AKIACORP000000000001\naws_secret_access_key = s\n")
    ours = source_session("corp")
    assert ours._session.sees_chain_only
    assert resolved(lambda: ours) == resolved(lambda: boto3.Session(profile_name="corp"))
    assert scoped(ours) == scoped(boto3.Session(profile_name="corp"))


def test_missing_files_are_missing_to_both(home):
    home.config.unlink(missing_ok=True)
    home.credentials.unlink(missing_ok=True)
    assert resolved(lambda: source_session("corp")) == resolved(lambda: boto3.Session(profile_name="corp"))
    assert resolved(source_session) == resolved(boto3.Session)


def test_a_large_config_is_never_parsed_by_configparser(home, parses):
    profiles = "".join(
        f"[profile role-{i}]\nrole_arn = arn:aws:iam::123456789012:role/R{i}\nsource_profile = corp\n\n"
        for i in range(5000)
    )
    credentials = "".join(f"[cached-{i}]\naws_access_key_id = ASIA{i:016d}\n" for i in range(5000))
    home.write(
        "[profile corp]\nregion = eu-west-1\n\n" + profiles,
        "[corp]\naws_access_key_id = AKIACORP000000000001\naws_secret_access_key = s\n\n" + credentials,
    )
    session = source_session("corp")
    frozen = session.get_credentials().get_frozen_credentials()
    session.client("sts", region_name=session.region_name)
    assert (
        frozen.access_key == "AKIACORP000000000001"
        and session._session.get_scoped_config()["region"] == "eu-west-1"
    )
    assert parses == []
    boto3.Session(profile_name="corp").get_credentials()  # the counter counts botocore's own way
    assert parses


def test_nothing_secret_in_the_sessions_repr(files):
    session = source_session("corp")
    assert "corp-secret" not in repr(session) + repr(session._session)
    assert "corp-secret" not in json.dumps(repr(vars(session)))


def test_sessions_share_one_data_loader_so_a_call_leaves_little_garbage(files):
    first = source_session("corp")
    loader = first._session.get_component("data_loader")
    paths = list(loader.search_paths)
    first.client("sts", region_name="eu-west-1")  # loads STS's model and rules once
    assert source_session("config-keys")._session.get_component("data_loader") is loader
    assert loader.search_paths == paths  # boto3's own folder is not added again and again
    gc.collect()
    gc.disable()
    try:
        client = source_session("corp").client("sts", region_name="eu-west-1")
        del client
        garbage = gc.collect()
    finally:
        gc.enable()
    assert garbage < 8000  # a loader of its own: 26,000 (the models and rules, dropped)


def test_an_unchanged_home_is_not_read_again_and_an_edit_is_seen(files, monkeypatch):
    from roleswitch.core import file_identity
    from roleswitch.core.aws import source_session as module

    monkeypatch.setattr(file_identity, "SETTLED_NS", 0)  # the files count as settled at once
    reads: list[object] = []
    real = module._read
    monkeypatch.setattr(module, "_read", lambda path: reads.append(path) or real(path))
    first = source_session("corp").get_credentials().get_frozen_credentials()
    assert len(reads) == 2
    again = source_session("corp").get_credentials().get_frozen_credentials()
    assert again == first and len(reads) == 2
    files.credentials.write_text(CREDENTIALS.replace("corp-secret", "rotated-secret"))
    rotated = source_session("corp").get_credentials().get_frozen_credentials()
    assert rotated.secret_key == "rotated-secret" and len(reads) == 4
    assert resolved(lambda: source_session("corp")) == resolved(lambda: boto3.Session(profile_name="corp"))


def test_a_just_written_file_is_read_every_time(files, monkeypatch):
    from roleswitch.core.aws import source_session as module

    reads: list[object] = []
    real = module._read
    monkeypatch.setattr(module, "_read", lambda path: reads.append(path) or real(path))
    source_session("corp")
    source_session("corp")
    assert len(reads) == 4  # written within SETTLED_NS: another write may keep its identity


def test_a_broken_line_outside_the_chain_no_longer_stops_the_call(home):
    """The one difference by design (see the module's docstring): botocore refuses the whole
    file for a repeated section anywhere; the cut reads only the chain's sections."""
    home.write(
        "[profile corp]\nregion = eu-west-3\n\n[profile x]\na = 1\n\n[profile x]\na = 2\n",
        "[corp]\naws_access_key_id = AKIACORP000000000001\naws_secret_access_key = s\n",
    )
    assert resolved(lambda: boto3.Session(profile_name="corp"))[0] == "ConfigParseError"
    ours = resolved(lambda: source_session("corp"))
    assert ours[1].access_key == "AKIACORP000000000001"
