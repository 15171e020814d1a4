"""The catalogue from good and bad AWS config and roleswitch TOML files."""

import shutil

from roleswitch.core.catalogue import load_catalogue, load_settings
from tests.conftest import DATA


def _load(home, config=None, credentials=None, toml=None):
    if config:
        shutil.copy(DATA / config, home.config)
    if credentials:
        shutil.copy(DATA / credentials, home.credentials)
    if toml:
        home.toml.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DATA / toml, home.toml)
    return load_catalogue()


def test_config_role_profiles_become_targets(home):
    cat = _load(home, "config_good.ini", "credentials_good.ini")
    names = [t.name for t in cat.targets]
    assert names == ["prod-admin", "prod-readonly", "chained", "on-ec2", "sso-dev", "with-s3"]
    assert cat.problems == ()
    admin = cat.find("prod-admin")
    assert admin.valid and admin.account_id == "111111111111" and admin.role_name == "Admin"
    assert admin.mfa_serial == "arn:aws:iam::999999999999:mfa/alice"
    assert admin.duration_seconds == 7200 and admin.region == "eu-west-1"
    ro = cat.find("prod-readonly")
    assert ro.role_name == "ReadOnly" and ro.external_id == "partner-42"
    assert ro.session_name == "alice.ops"
    assert cat.find("chained").valid  # a role profile may be the source of another
    assert cat.find("on-ec2").credential_source == "Ec2InstanceMetadata"
    assert cat.find("with-s3").valid  # nested s3 settings do not confuse the scanner
    assert cat.find("corp") is None  # a source, not a target
    sso_dev = cat.find("sso-dev")  # an SSO profile is a target too (Identity Center's credentials)
    assert sso_dev.valid and sso_dev.sso_session == "corp-sso" and sso_dev.is_sso
    assert sso_dev.role_arn == "arn:aws:iam::444444444444:role/Developer"


def test_bad_profiles_listed_with_reasons_good_one_kept(home):
    cat = _load(home, "config_bad.ini")
    reasons = {t.name: t.problem for t in cat.targets}
    assert "not an IAM role ARN" in reasons["bad-arn"]
    assert "900s to 43200s" in reasons["bad-duration"]
    assert "session name" in reasons["bad-session"]
    assert "external id" in reasons["bad-external"]
    assert "'nowhere' does not exist" in reasons["missing-source"]
    assert "neither source_profile nor credential_source" in reasons["no-source"]
    assert "loop: loop-a -> loop-b -> loop-a" in reasons["loop-a"]
    assert reasons["good"] is None
    # The malformed line is reported with its file and line number.
    assert any(str(home.config) in p and "line 41" in p for p in cat.problems), cat.problems
    assert cat.find("bad-arn").line == 1 and cat.find("bad-arn").file == str(home.config)


def test_toml_accounts_and_settings(home):
    cat = _load(home, "config_good.ini", "credentials_good.ini", "roleswitch_good.toml")
    assert cat.problems == ()
    s = cat.settings
    assert (s.active_profile, s.duration_seconds, s.session_name) == ("roleswitch", 7200, "alice")
    assert (s.renew_margin_seconds, s.auto_renew, s.source_profile) == (300, True, "corp")
    admin = cat.find("prod/Admin")
    assert admin.role_arn == "arn:aws:iam::111111111111:role/Admin"
    assert admin.account_name == "Production" and admin.region == "eu-west-1"
    assert admin.source_profile == "corp" and admin.needs_mfa and admin.origin == "roleswitch"
    deploy = cat.find("prod/Deploy")
    assert deploy.role_arn.endswith("role/ci/Deploy") and deploy.duration_seconds == 1800
    assert cat.find("staging/ReadOnly").source_profile == "longterm"
    # The TOML display name labels config-file profiles of the same account too.
    assert cat.find("prod-admin").account_name == "Production"
    labels = [a.label for a in cat.accounts()]
    assert labels[0] == "Production (111111111111)"


def test_bad_toml_reports_keys_with_lines_and_keeps_good_roles(home):
    cat = _load(home, "config_good.ini", "credentials_good.ini", "roleswitch_bad.toml")
    text = "\n".join(cat.problems)
    assert "unknown setting 'duraton'" in text and "line 3" in text
    assert "renew margin" in text
    assert cat.settings.active_profile == "roleswitch"  # the good settings still apply
    assert "43200s" in cat.find("prod/Admin").problem
    assert cat.find("prod/Ok").valid
    assert "mfa_serail" in cat.find("prod/Typo").problem
    assert "12 digits" in cat.find("shortid/Admin").problem


def test_malformed_toml_names_file_and_line_and_keeps_config_targets(home):
    home.write(config=(DATA / "config_good.ini").read_text(), toml="[settings\nactive = 1\n")
    shutil.copy(DATA / "credentials_good.ini", home.credentials)
    cat = load_catalogue()
    assert len(cat.problems) == 1
    assert str(home.toml) in cat.problems[0] and "line 1" in cat.problems[0]
    assert cat.find("prod-admin").valid


def test_unreadable_and_missing_files(home):
    cat = load_catalogue()  # nothing exists: an empty catalogue, no error
    assert cat.targets == () and cat.problems == ()
    home.config.write_bytes(b"[profile x]\nrole_arn = \xff\xfe\n")
    cat = load_catalogue()
    assert "not valid UTF-8" in cat.problems[0]
    home.config.unlink()
    home.config.mkdir()
    assert "is a directory" in load_catalogue().problems[0]


def test_load_settings_only_reads_toml(home):
    home.write(toml='[settings]\nactive_profile = "work"\n')
    settings, problems = load_settings()
    assert settings.active_profile == "work" and problems == []


def test_ten_thousand_profiles_load(home):
    lines = ["[profile src]\nregion = us-east-1\n"]
    for i in range(10_000):
        lines.append(
            f"[profile p{i}]\nrole_arn = arn:aws:iam::{100000000000 + i % 500}:role/R{i}\n"
            "source_profile = src\n"
        )
    home.config.write_text("\n".join(lines))
    cat = load_catalogue()
    assert len(cat.targets) == 10_000 and all(t.valid for t in cat.targets)
    assert len(cat.accounts()) == 500


def test_target_init_takes_every_field_in_order_and_stays_frozen():
    import dataclasses
    import inspect

    from roleswitch.core.model import Target

    parameters = list(inspect.signature(Target.__init__).parameters.values())[1:]
    assert [p.name for p in parameters] == [f.name for f in dataclasses.fields(Target)]
    for parameter, field in zip(parameters, dataclasses.fields(Target), strict=True):
        assert parameter.default == (
            inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
        )
    values = {f.name: f"v-{f.name}" for f in dataclasses.fields(Target)}
    target = Target(**values)
    assert {f.name: getattr(target, f.name) for f in dataclasses.fields(Target)} == values
    try:
        target.name = "other"
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("Target must stay frozen")
    assert dataclasses.replace(target, region="x").region == "x" and target.region == "v-region"


# --- the catalogue reads profiles as botocore does ------------------------------------------

ARN = "arn:aws:iam::111111111111:role/{}"


def test_every_spelling_botocore_accepts_is_a_profile_and_the_last_section_wins(home):
    from botocore.configloader import load_config

    home.write(
        config=(
            f'[profile "quoted"]\nrole_arn = {ARN.format("Q")}\nsource_profile = corp\n\n'
            f"[profile  spaced]\nrole_arn = {ARN.format('S')}\nsource_profile = corp\n\n"
            f"[profile\ttabbed]\nrole_arn = {ARN.format('T')}\nsource_profile = corp\n\n"
            f"[profile twice]\nrole_arn = {ARN.format('First')}\nsource_profile = corp\n\n"
            f"[profile 'twice']\nrole_arn = {ARN.format('Second')}\nsource_profile = corp\n\n"
            "[profile corp]\nregion = eu-west-1\n"
        ),
        credentials="[corp]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = s\n",
    )
    botocore_profiles = load_config(str(home.config))["profiles"]
    cat = load_catalogue()

    assert {t.name: t.role_arn for t in cat.targets} == {
        name: values["role_arn"] for name, values in botocore_profiles.items() if "role_arn" in values
    }
    assert cat.find("twice").role_name == "Second"
    assert all(t.valid for t in cat.targets)


def test_default_section_keys_reach_every_profile_as_in_botocore(home):
    from botocore.configloader import load_config

    home.write(
        config=f"[DEFAULT]\nsource_profile = corp\n\n[profile a]\nrole_arn = {ARN.format('A')}\n",
        credentials="[corp]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = s\n",
    )
    assert load_config(str(home.config))["profiles"]["a"]["source_profile"] == "corp"
    target = load_catalogue().find("a")
    assert target.valid and target.source_profile == "corp"


TOML = """
[settings]
source_profile = "corp"

[accounts.prod]
id = "111111111111"

[[accounts.prod.roles]]
name = "Good"

[[accounts.prod.roles]]
name = "Bad\\n[profile evil]"

[[accounts.prod.roles]]
name = "Regional"
region = "eu-west-1\\r\\n[x]"
"""


def test_toml_values_with_line_breaks_mark_their_target_invalid(home):
    home.write(
        config="",
        credentials="[corp]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\naws_secret_access_key = s\n",
        toml=TOML,
    )
    cat = load_catalogue()
    by_role = {t.name.split("/", 1)[1].split("\n")[0]: t for t in cat.targets}
    assert by_role["Good"].valid
    assert not by_role["Bad"].valid and "line break" in by_role["Bad"].problem
    assert not by_role["Regional"].valid and "region" in by_role["Regional"].problem
    assert "\n" not in by_role["Regional"].problem


def test_an_active_profile_that_is_no_plain_section_name_is_reported_and_not_used(home):
    home.toml.parent.mkdir(parents=True, exist_ok=True)
    home.toml.write_text('[settings]\nactive_profile = "x]\\n[corp"\nregion = "eu\\nwest"\n')
    settings, problems = load_settings()
    assert settings.active_profile == "default" and settings.region is None
    assert len(problems) == 2 and all("\n" not in p for p in problems)
    home.toml.write_text('[settings]\nactive_profile = "DEFAULT"\n')
    settings, problems = load_settings()
    assert settings.active_profile == "default" and "DEFAULT" in problems[0]


def test_a_broken_config_line_says_aws_tools_refuse_the_whole_file(tmp_path):
    """`[profile broken` made every assume fail in botocore, while `list` only named a line
    "that is not key = value" and looked fine otherwise (found by a newcomer)."""
    config = tmp_path / "config"
    config.write_text("[profile a]\nrole_arn = arn:aws:iam::111111111111:role/A\n[profile broken\n")
    catalogue = load_catalogue(config, tmp_path / "none.toml", tmp_path / "none")
    text = " ".join(catalogue.problems)
    assert "line 3" in text and "without its `]`" in text
    assert "AWS tools refuse all of" in text
