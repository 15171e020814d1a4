"""`[[discover.organizations]]` entries: valid ones become specs, each bad one one sentence."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from roleswitch.core.organizations import OrganizationSpec, load_organization_specs, organization_specs

PATH = Path("/cfg/config.toml")


def specs(text: str) -> tuple[list[OrganizationSpec], list[str]]:
    problems: list[str] = []
    return organization_specs(tomllib.loads(text), PATH, text, problems), problems


def test_a_full_entry_and_a_minimal_one() -> None:
    found, problems = specs(
        "[settings]\n"
        "duration = 3600\n"
        "\n"
        "[[discover.organizations]]\n"
        'source_profile = "mgmt"\n'
        'role_name = "OrganizationAccountAccessRole"\n'
        "\n"
        "[[discover.organizations]]\n"
        'name = "acme"\n'
        'source_profile = "acme-mgmt"\n'
        'role_name = "admin/ReadOnly"\n'
        'region = "eu-west-1"\n'
        'mfa_serial = "arn:aws:iam::123456789012:mfa/alice"\n'
        'duration = "2h"\n'
        'external_id = "ext-123"\n'
        'session_name = "alice"\n'
    )
    assert problems == []
    assert found == [
        OrganizationSpec(
            name="mgmt",  # the source profile, when no name is given
            source_profile="mgmt",
            role_name="OrganizationAccountAccessRole",
            file=str(PATH),
            line=4,
        ),
        OrganizationSpec(
            name="acme",
            source_profile="acme-mgmt",
            role_name="admin/ReadOnly",
            region="eu-west-1",
            mfa_serial="arn:aws:iam::123456789012:mfa/alice",
            duration_seconds=7200,
            external_id="ext-123",
            session_name="alice",
            file=str(PATH),
            line=8,
        ),
    ]


def test_no_discover_table_is_no_spec_and_no_problem() -> None:
    assert specs('[settings]\nregion = "us-east-1"\n') == ([], [])


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('source_profile = "mgmt"', "role_name is missing"),
        ('role_name = "Admin"', "source_profile is missing"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nrole = "x"', "unknown key(s) role"),
        ('source_profile = "mgmt"\nrole_name = 5', "role_name must be a non-empty string"),
        ('source_profile = ""\nrole_name = "Admin"', "source_profile must be a non-empty string"),
        ('source_profile = "mgmt"\nrole_name = "Ad min"', "role_name 'Ad min' is not an IAM role name"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nduration = "forever"', "duration"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nduration = 60', "duration"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nregion = ["eu-west-1"]', "region must be"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nmfa_serial = "123"', "123"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nsession_name = "a b"', "a b"),
        ('source_profile = "mg\\nmt"\nrole_name = "Admin"', "line break"),
        ('source_profile = "[mgmt]"\nrole_name = "Admin"', "not a plain section name"),
        ('source_profile = "mgmt"\nrole_name = "Admin"\nname = " / "', "nothing left"),
    ],
)
def test_a_bad_entry_is_one_sentence_with_its_line_and_is_skipped(entry: str, words: str) -> None:
    found, problems = specs(
        '[[discover.organizations]]\nsource_profile = "good"\nrole_name = "Admin"\n\n'
        f"[[discover.organizations]]\n{entry}\n"
    )
    assert [s.source_profile for s in found] == ["good"]
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.startswith(f"{PATH}, line 5: organisation ")
    assert words in problem
    assert problem.endswith("It was skipped.")
    assert "\n" not in problem


def test_two_entries_with_one_name_keep_the_first() -> None:
    found, problems = specs(
        '[[discover.organizations]]\nsource_profile = "a"\nrole_name = "Admin"\nname = "acme"\n'
        '[[discover.organizations]]\nsource_profile = "b"\nrole_name = "Admin"\nname = "acme"\n'
    )
    assert [s.source_profile for s in found] == ["a"]
    assert problems == [
        f"{PATH}, line 5: organisation 'acme': another organisation is already named 'acme'; "
        "give this one its own `name`. It was skipped."
    ]


def test_a_table_in_place_of_an_array_or_a_value_in_place_of_a_table() -> None:
    assert specs('[discover.organizations]\nsource_profile = "a"\nrole_name = "R"\n') == (
        [],
        [
            f"{PATH}, line 1: 'discover.organizations' must be an array of tables, each starting "
            "with [[discover.organizations]]."
        ],
    )
    assert specs('discover = "yes"\n') == ([], [f"{PATH}, line 1: 'discover' must be a table."])


def test_an_inline_array_still_works_and_points_at_its_line() -> None:
    found, problems = specs(
        '[discover]\norganizations = [{source_profile = "a", role_name = "Admin"}, {source_profile = "b"}]\n'
    )
    assert [(s.name, s.line) for s in found] == [("a", 2)]
    assert problems == [f"{PATH}, line 2: organisation 'b': role_name is missing. It was skipped."]


def test_an_entry_that_is_not_a_table() -> None:
    found, problems = specs('[discover]\norganizations = ["mgmt"]\n')
    assert found == []
    assert problems == [
        f"{PATH}, line 2: organisation #1: must be a table of keys such as source_profile and "
        "role_name. It was skipped."
    ]


def test_load_reads_roleswitch_config(home) -> None:
    home.write(toml='[[discover.organizations]]\nsource_profile = "mgmt"\nrole_name = "Admin"\n')
    found, problems = load_organization_specs()
    assert problems == []
    assert [(s.name, s.file, s.line) for s in found] == [("mgmt", str(home.toml), 1)]


def test_load_reports_a_broken_file(home) -> None:
    home.write(toml="[[discover.organizations]\n")
    found, problems = load_organization_specs()
    assert found == []
    assert len(problems) == 1 and "the file was skipped" in problems[0]
