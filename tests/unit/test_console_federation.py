"""Console sign-in rules: URL shapes per partition, the Session JSON, SessionDuration,
the endpoint override, and the browser template's argv."""

from __future__ import annotations

import json
import sys
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.aws import federation
from roleswitch.core.browser import COLOURS, check_template, colour_for, command_line, system_opener
from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.console import chained
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Credentials, Target

CREDS = Credentials(
    "ASIAEXAMPLEKEY00001", "secret/Key+1=", "token+/=abc", datetime.now(UTC) + timedelta(hours=1)
)


@pytest.mark.parametrize(
    ("region", "arn", "signin", "console"),
    [
        (
            "eu-west-1",
            "arn:aws:iam::111111111111:role/Admin",
            "https://signin.aws.amazon.com/federation",
            "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
        ),
        (
            "us-gov-west-1",
            "arn:aws-us-gov:iam::111111111111:role/Admin",
            "https://signin.amazonaws-us-gov.com/federation",
            "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
        ),
        (
            "cn-north-1",
            "arn:aws-cn:iam::111111111111:role/Admin",
            "https://signin.amazonaws.cn/federation",
            "https://console.amazonaws.cn/console/home?region=cn-north-1",
        ),
    ],
)
def test_each_partition_signs_in_and_lands_on_its_own_hosts(region, arn, signin, console):
    partition = federation.partition_for(region, arn)
    endpoint = federation.federation_endpoint(partition, {})
    assert endpoint == signin
    destination = federation.destination_url(partition, region, None)
    assert destination == console
    url = federation.login_url(endpoint, "TOKEN-abc_123", destination).url
    assert url == (
        f"{signin}?Action=login&Issuer=roleswitch&Destination={urllib.parse.quote_plus(console)}"
        "&SigninToken=TOKEN-abc_123"
    )


def test_a_service_destination_is_that_service_home_in_the_region():
    aws = federation.PARTITIONS["aws"]
    assert (
        federation.destination_url(aws, "eu-central-1", "s3")
        == "https://eu-central-1.console.aws.amazon.com/s3/home?region=eu-central-1"
    )
    url = "https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#Instances:"
    assert federation.destination_url(aws, "us-east-1", url) == url


@pytest.mark.parametrize(
    "destination",
    ["https://evil.example/console.aws.amazon.com", "http://console.aws.amazon.com/", "S3 bucket", "../x"],
)
def test_a_destination_off_the_console_is_refused(destination):
    with pytest.raises(ValidationError, match="destination"):
        federation.destination_url(federation.PARTITIONS["aws"], "us-east-1", destination)


def test_no_region_lands_in_the_partitions_first_region():
    assert federation.default_region("arn:aws-cn:iam::111111111111:role/A") == "cn-north-1"
    assert federation.default_region("arn:aws-us-gov:iam::111111111111:role/A") == "us-gov-west-1"
    assert federation.default_region(None) == "us-east-1"


def test_a_region_outside_the_roles_partition_is_refused():
    with pytest.raises(ValidationError, match="partition"):
        federation.partition_for("cn-north-1", "arn:aws:iam::111111111111:role/Admin")
    with pytest.raises(ValidationError, match="region name"):
        federation.partition_for("Europe", None)


def test_the_session_json_holds_exactly_the_three_values():
    request = federation.signin_token_request("https://signin.aws.amazon.com/federation", CREDS, None)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request).query, strict_parsing=True)
    assert query["Action"] == ["getSigninToken"]
    assert "SessionDuration" not in query
    assert json.loads(query["Session"][0]) == {
        "sessionId": CREDS.access_key_id,
        "sessionKey": CREDS.secret_access_key,
        "sessionToken": CREDS.session_token,
    }


def test_session_duration_bounds_and_role_chaining():
    assert federation.session_duration(None, chained=False, who="x") is None
    assert federation.session_duration(None, chained=True, who="x") is None
    assert federation.session_duration(900, chained=False, who="x") == 900
    assert federation.session_duration(43200, chained=False, who="x") == 43200
    for outside in (899, 43201):
        with pytest.raises(ValidationError, match="900s to 43200s"):
            federation.session_duration(outside, chained=False, who="x")
    with pytest.raises(ValidationError, match="role chaining"):
        federation.session_duration(3600, chained=True, who="prod/Admin")
    request = federation.signin_token_request("https://h/federation", CREDS, 7200)
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(request).query)["SessionDuration"] == ["7200"]


def test_federation_token_duration_bounds():
    assert federation.federation_token_duration(129600) == 129600
    with pytest.raises(ValidationError, match="129600s"):
        federation.federation_token_duration(129601)
    assert federation.federated_user_name("DOMAIN\\alice smith") == "DOMAIN-alice-smith"
    assert len(federation.federated_user_name("a" * 80)) == 32


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("http://127.0.0.1:8080/federation", True),
        ("http://localhost:9/federation", True),
        ("https://signin.example.internal/federation", True),
        ("http://signin.example.com/federation", False),  # the secret key in clear on the network
        ("https://user:pw@signin.example.com/federation", False),
        ("https://signin.example.com/federation?x=1", False),
        ("ftp://127.0.0.1/federation", False),
    ],
)
def test_the_endpoint_override_is_https_or_this_machine(value, accepted):
    environ = {federation.ENDPOINT_VARIABLE: value}
    partition = federation.PARTITIONS["aws"]
    if accepted:
        assert federation.federation_endpoint(partition, environ) == value
    else:
        with pytest.raises(ValidationError, match=federation.ENDPOINT_VARIABLE):
            federation.federation_endpoint(partition, environ)


def test_a_sign_in_url_never_shows_in_repr():
    url = federation.login_url("https://signin.aws.amazon.com/federation", "SECRET-TOKEN-123456", "https://x")
    assert "SECRET" not in repr(url) and "SECRET" not in str(url) and "SECRET" not in f"{url}"


# --- the browser template ---------------------------------------------------------------------


def test_placeholders_are_replaced_per_argument_and_encoded_inside_a_longer_one():
    url = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=a b"
    argv = command_line(
        "firefox --new-tab 'ext+container:name={container}&color={colour}&url={url}'",
        url,
        "prod/Admin",
        "red",
    )
    assert argv == [
        "firefox",
        "--new-tab",
        "ext+container:name=prod%2FAdmin&color=red&url=" + urllib.parse.quote(url, safe=""),
    ]
    assert command_line("open -a Safari {url}", url, "x", "y") == ["open", "-a", "Safari", url]


def test_a_value_cannot_add_an_argument_or_a_shell_command():
    evil = "https://console.aws.amazon.com/ ; rm -rf ~ $(id)"
    assert command_line("browser {url}", evil, "c; rm", "red") == ["browser", evil]


@pytest.mark.parametrize(
    "template",
    ["firefox", "firefox {url} {profile}", "firefox 'unclosed {url}", "firefox {url}\nrm -rf ~", ""],
)
def test_a_bad_template_is_refused_with_a_reason(template):
    with pytest.raises(ValidationError):
        check_template(template)


def test_a_bad_browser_setting_is_reported_and_the_default_used(home):
    home.write(toml='[settings]\nbrowser = "firefox {profile}"\n')
    catalogue = load_catalogue()
    assert catalogue.settings.browser is None
    assert any("browser" in p and "{profile}" in p for p in catalogue.problems)
    home.write(toml='[settings]\nbrowser = "firefox -P work {url}"\n')
    assert load_catalogue().settings.browser == "firefox -P work {url}"


def test_colours_are_firefox_container_colours_and_stable_per_account():
    assert colour_for("111111111111") == colour_for("111111111111")
    assert {colour_for(str(n)) for n in range(200)} == set(COLOURS)


def test_no_desktop_means_no_system_opener():
    assert system_opener({}, "linux") is None


# --- role chaining ---------------------------------------------------------------------------


def _target(**kw) -> Target:
    return Target(
        name="t",
        origin="aws-config",
        role_arn="arn:aws:iam::111111111111:role/R",
        account_id="111111111111",
        role_name="R",
        **kw,
    )


def test_a_role_assumed_with_role_credentials_is_chained():
    profiles = {
        "user": {"aws_access_key_id": "AKIA..."},
        "role": {"role_arn": "arn:aws:iam::1:role/x", "source_profile": "user"},
        "sso": {"sso_session": "corp", "sso_account_id": "1", "sso_role_name": "r"},
    }
    assert not chained(_target(source_profile="user"), profiles.get)
    assert chained(_target(source_profile="role"), profiles.get)
    assert chained(_target(source_profile="sso"), profiles.get)
    assert chained(_target(credential_source="Ec2InstanceMetadata"), profiles.get)
    assert not chained(_target(credential_source="Environment"), profiles.get)
    # a TOML role whose source is a discovered Identity Center role: no profile of that name
    assert chained(_target(source_profile="corp/Dev/Admin", sso_source="222222222222/Admin"), profiles.get)


def test_no_browser_is_one_sentence_without_the_url(monkeypatch):
    from roleswitch.core.browser import BrowserError, open_url

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("WSL_DISTRO_NAME", raising=False)
    with pytest.raises(BrowserError) as caught:
        open_url("https://signin/federation?SigninToken=SECRET", template=None, container="c", colour="red")
    said = str(caught.value)
    assert "SECRET" not in said and said.count(". ") == 0 and said.endswith(".")


def test_a_missing_browser_command_is_one_sentence():
    from roleswitch.core.browser import BrowserError, open_url

    with pytest.raises(BrowserError, match="no-such-browser-here was not found"):
        open_url(
            "https://x/?SigninToken=SECRET", template="no-such-browser-here {url}", container="c", colour="r"
        )
