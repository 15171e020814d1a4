"""A target remembers its profile: `profile = "NAME"` written into one `[[accounts.X.roles]]`
entry of the person's TOML, every other byte kept, or nothing written at all."""

from __future__ import annotations

import tomllib

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.errors import ConfigError, RoleswitchError
from roleswitch.core.model import Target
from roleswitch.core.settings_store import remember_profile
from roleswitch.core.toml_edit import EditRefused, set_value
from tests.unit.test_toml_edit import readme_example

KEYS = "[corp]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n"


def changed_span(before: bytes, after: bytes) -> tuple[bytes, bytes]:
    """What was removed and what was added: the bytes between the common prefix and suffix."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return before[start : len(before) - end], after[start : len(after) - end]


def target(home, text: str, name: str) -> Target:
    home.write(credentials=KEYS, toml=text)
    found = load_catalogue().find(name)
    assert found is not None
    return found


def test_the_readme_example_gains_one_line_on_the_role_and_nothing_else(home):
    example = readme_example()
    admin = target(home, example, "prod/Admin")
    before = home.toml.read_bytes()
    remember_profile(admin, "prod")
    after = home.toml.read_bytes()
    assert changed_span(before, after) == (b"", b'profile = "prod"\n')
    mfa = 'mfa_serial = "arn:aws:iam::999999999999:mfa/alice"\n'
    assert after.decode() == example.replace(mfa, mfa + 'profile = "prod"\n', 1)
    expected = tomllib.loads(example)
    expected["accounts"]["prod"]["roles"][0]["profile"] = "prod"
    assert tomllib.loads(after.decode()) == expected
    assert load_catalogue().find("prod/Admin").profile == "prod"
    assert load_catalogue().find("prod/Deploy").profile is None


def test_a_role_whose_arn_has_a_path_is_found_by_its_name(home):
    example = readme_example()
    deploy = target(home, example, "prod/Deploy")
    assert deploy.role_arn.endswith("/ci/Deploy")
    remember_profile(deploy, "ci")
    assert changed_span(example.encode(), home.toml.read_bytes()) == (b"", b'profile = "ci"\n')
    assert home.toml.read_text() == example.replace("duration = 1800\n", 'duration = 1800\nprofile = "ci"\n')


def test_a_remembered_profile_is_replaced_in_place_keeping_its_comment(home):
    text = readme_example().replace('name = "Deploy"\n', 'name = "Deploy"\nprofile = "old"   # mine\n')
    deploy = target(home, text, "prod/Deploy")
    remember_profile(deploy, "new")
    assert changed_span(text.encode(), home.toml.read_bytes()) == (b"old", b"new")
    remember_profile(load_catalogue().find("prod/Deploy"), "new")  # the same again: nothing to do
    assert home.toml.read_text() == text.replace('"old"', '"new"')


def test_crlf_bom_indentation_and_no_final_newline_are_kept(home):
    text = (
        "\ufeff# mine\r\n[settings]\r\nsource_profile = 'corp'\r\n\r\n[accounts.prod]\r\n"
        "id = '111111111111'\r\n\r\n  [[accounts.prod.roles]]\r\n  name = 'Admin' # first\r\n\r\n"
        "  [[accounts.prod.roles]]\r\n  name = 'ReadOnly'"
    )
    home.write(credentials=KEYS)
    home.toml.parent.mkdir(parents=True, exist_ok=True)
    home.toml.write_bytes(text.encode())
    admin = load_catalogue().find("prod/Admin")
    remember_profile(admin, "prod")
    assert home.toml.read_bytes() == text.replace("# first\r\n", '# first\r\n  profile = "prod"\r\n').encode()
    remember_profile(load_catalogue().find("prod/ReadOnly"), "ro")
    after = home.toml.read_bytes().decode()
    assert after.endswith("  name = 'ReadOnly'\r\n  profile = \"ro\"") and after.startswith(
        "\ufeff# mine\r\n"
    )


def test_inline_roles_are_edited_in_their_table(home):
    text = '[settings]\nsource_profile = "corp"\n[accounts.dev]\nid = "222222222222"\nroles = [ { name = "Dev" }, { name = "Ops" } ]  # two\n'
    ops = target(home, text, "dev/Ops")
    remember_profile(ops, "ops")
    assert home.toml.read_text() == text.replace('{ name = "Ops" }', '{ name = "Ops", profile = "ops" }')


def refused(home, target_: Target, profile: str = "prod") -> str:
    before = home.toml.read_bytes()
    with pytest.raises(RoleswitchError) as caught:
        remember_profile(target_, profile)
    assert home.toml.read_bytes() == before
    assert sorted(p.name for p in home.toml.parent.iterdir()) == ["config.toml"]  # no lock or temp file
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".")
    return message


def test_a_role_named_twice_is_refused_not_guessed(home):
    text = readme_example().replace('name = "Deploy"', 'name = "Admin"')
    admin = target(home, text, "prod/Admin")
    message = refused(home, admin)
    assert "2 roles called prod/Admin, and roleswitch will not guess which one" in message
    assert message.endswith('add profile = "prod" to the [[accounts.ACCOUNT.roles]] of prod/Admin by hand.')


def test_a_role_gone_from_the_file_is_refused(home):
    example = readme_example()
    admin = target(home, example, "prod/Admin")
    home.toml.write_text(example.replace('name = "Admin"', 'name = "Owner"'))
    assert "it has no role prod/Admin" in refused(home, admin)


def test_a_file_that_no_longer_parses_is_refused(home):
    admin = target(home, readme_example(), "prod/Admin")
    home.toml.write_text(readme_example() + "[broken\n")
    assert "does not parse" in refused(home, admin)


def test_only_toml_targets_and_plain_profile_names(home):
    config = "[profile cfg]\nrole_arn = arn:aws:iam::111111111111:role/Cfg\nsource_profile = corp\n"
    home.write(config=config, credentials=KEYS, toml=readme_example())
    catalogue = load_catalogue()
    with pytest.raises(ConfigError, match="not a role of roleswitch's TOML"):
        remember_profile(catalogue.find("cfg"), "x")
    assert "not a role of roleswitch's TOML" in refused(home, catalogue.find("cfg"))
    assert "profile name" in refused(home, catalogue.find("prod/Admin"), "a]b")
    assert "[DEFAULT] is not a profile" in refused(home, catalogue.find("prod/Admin"), "DEFAULT")


def test_a_missing_file_is_refused_and_not_created(home, tmp_path):
    admin = target(home, readme_example(), "prod/Admin")
    path = tmp_path / "elsewhere.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        remember_profile(admin, "prod", path)
    assert not path.exists()


def test_an_accounts_own_table_takes_a_key_after_its_last_line(home):
    example = readme_example()
    after = set_value(example, ("accounts", "prod"), "profile", "prod")
    assert changed_span(example.encode(), after.encode()) == (b"", b'profile = "prod"\n')
    assert 'these\nprofile = "prod"\n\n[[accounts.prod.roles]]' in after


@pytest.mark.parametrize(
    ("text", "entry", "reason"),
    [
        ("[accounts.a]\nroles = 3\n", ("name", "A"), "`accounts.a.roles` is not an array of tables"),
        (
            '[[accounts.a.roles]]\nname = "B"\n',
            ("name", "A"),
            'no `accounts.a.roles` entries have name = "A"',
        ),
        ('[[accounts]]\n[[accounts.a.roles]]\nname = "A"\n', ("name", "A"), "`accounts` is not a table"),
        ('[accounts.a]\nroles = ["A"]\n', ("name", "A"), "`accounts.a.roles` is not an array of tables"),
        (
            '[[accounts.a.roles]]\nname = "A"\n[[accounts.a.roles]]\nname = "A"\n',
            ("name", "A"),
            '2 `accounts.a.roles` entries have name = "A", and roleswitch will not guess',
        ),
    ],
)
def test_entry_edits_refuse_rather_than_guess(text, entry, reason):
    with pytest.raises(EditRefused, match=reason.replace("[", r"\[").replace(".", r"\.")):
        set_value(text, ("accounts", "a", "roles"), "profile", "p", entry=entry)


_names = st.text("abcdefgh", min_size=1, max_size=4)
_values = st.one_of(st.booleans(), st.integers(0, 99), st.text("xyz '\"\\", max_size=6))


@settings(max_examples=150, deadline=None)
@given(
    roles=st.lists(
        st.tuples(
            _names, st.dictionaries(st.sampled_from(["arn", "profile", "tags", "x"]), _values, max_size=3)
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda role: role[0],
    ),
    pick=st.integers(0, 3),
    value=_names,
    style=st.sampled_from(["tables", "inline", "crlf"]),
)
def test_any_array_of_tables_gets_exactly_the_one_change(roles, pick, value, style):
    entries = [{"name": name, **extra} for name, extra in roles]
    document = {"settings": {"a": 1}, "accounts": {"p": {"id": "1", "roles": entries}}, "after": {"b": 2}}
    if style == "inline":
        inline = ", ".join("{ " + tomli_w.dumps(e).strip().replace("\n", ", ") + " }" for e in entries)
        text = tomli_w.dumps({"settings": {"a": 1}}) + f'[accounts.p]\nid = "1"\nroles = [ {inline} ]  # c\n'
        text += tomli_w.dumps({"after": {"b": 2}})
    else:
        text = tomli_w.dumps(document)
    if style == "crlf":
        text = text.replace("\n", "\r\n")
    assert tomllib.loads(text) == document
    name = roles[pick % len(roles)][0]
    edited = set_value(text, ("accounts", "p", "roles"), "profile", value, entry=("name", name))
    expected = tomllib.loads(text)
    next(e for e in expected["accounts"]["p"]["roles"] if e["name"] == name)["profile"] = value
    assert tomllib.loads(edited) == expected
    removed, added = changed_span(text.encode(), edited.encode())
    assert b"[" not in removed and b"#" not in removed and len(added) <= len(value) + 20
