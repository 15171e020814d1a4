"""SSO sessions and profiles, read from the AWS config and the TOML as botocore names them."""

from __future__ import annotations

import hashlib

from roleswitch.core.sso.config import AWS_CONFIG, LEGACY, ROLESWITCH, load_sso_config


def test_the_three_forms_and_the_sso_profiles(home):
    home.write(
        config="[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access, codewhisperer:completions\n\n"
        "[sso-session 'quoted']\nsso_start_url = https://q.awsapps.com/start\nsso_region = us-east-1\n\n"
        "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n"
        "region = eu-west-1\n\n"
        "[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\n"
        "sso_account_id = 222222222222\nsso_role_name = Admin\n\n"
        "[profile old2]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-2\n"
        "sso_account_id = 333333333333\nsso_role_name = Admin\n\n"
        "[profile keys]\naws_access_key_id = AKIA\n",
        toml='[sso.lab]\nstart_url = "https://lab.awsapps.com/start"\nregion = "ap-southeast-2"\n',
    )
    config = load_sso_config()
    assert config.problems == ()
    assert config.names() == ["corp", "quoted", "old", "lab"]
    corp, quoted, old, lab = config.sessions
    assert corp.origin == AWS_CONFIG and corp.scopes == ("sso:account:access", "codewhisperer:completions")
    assert corp.cache_key == hashlib.sha1(b"corp").hexdigest()
    assert quoted.name == "quoted"  # shlex-split, as botocore does
    assert old.origin == LEGACY and old.scopes == ()
    assert old.cache_key == hashlib.sha1(b"https://old.awsapps.com/start").hexdigest()
    assert lab.origin == ROLESWITCH and lab.region == "ap-southeast-2"
    assert [(p.profile, p.session, p.account_id, p.role_name) for p in config.profiles] == [
        ("dev", "corp", "111111111111", "Dev"),
        ("old", "old", "222222222222", "Admin"),
        ("old2", "old", "333333333333", "Admin"),  # the same start URL: one session
    ]


def test_problems_are_sentences_and_skip_only_their_part(home):
    home.write(
        config="[sso-session broken]\nsso_region = us-east-1\n\n"
        "[profile lost]\nsso_session = nowhere\nsso_account_id = 111111111111\nsso_role_name = R\n",
        toml='[sso.corp]\nstart_url = "https://c.awsapps.com/start"\nregion = "moon"\n',
    )
    config = load_sso_config()
    assert config.sessions == ()
    assert len(config.problems) == 3
    assert "[sso-session broken] has no sso_start_url" in config.problems[0]
    assert "names sso_session nowhere, which is not defined" in config.problems[1]
    assert "[sso.corp] has no region, or it is not a region name" in config.problems[2]
