"""targets_from_columns makes the same frozen Targets as Target(...), faster: its maker
must name Target's fields in Target's order."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from roleswitch.core.model import Target, _TargetBeingMade, targets_from_columns

FIELDS = [field.name for field in dataclasses.fields(Target)]


def test_the_maker_takes_targets_fields_in_their_order():
    assert list(inspect.signature(_TargetBeingMade.__init__).parameters)[1:] == FIELDS
    assert _TargetBeingMade.__slots__ == Target.__slots__


def test_made_targets_equal_those_target_makes_and_stay_frozen():
    rows = [
        [f"{name}-{n}" if name not in ("line", "duration_seconds", "tags") else None for name in FIELDS]
        for n in range(3)
    ]
    for row in rows:
        row[FIELDS.index("line")], row[FIELDS.index("tags")] = 7, ("a", "b")
    made = targets_from_columns(list(zip(*rows, strict=True)))
    expected = tuple(Target(*row) for row in rows)
    assert made == expected and [type(t) for t in made] == [Target] * 3
    assert [hash(t) for t in made] == [hash(t) for t in expected] and repr(made[0]) == repr(expected[0])
    assert made[1].profile == "profile-1" and made[2].tags == ("a", "b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        made[0].name = "other"  # type: ignore[misc]
    assert dataclasses.replace(made[0], region="x").region == "x"


def test_accounts_gather_an_accounts_runs_in_file_order_and_find_takes_the_last_of_a_name():
    def target(name: str, account: str) -> Target:
        return Target(name, "aws-config", f"arn:aws:iam::{account}:role/R", account, "R")

    from roleswitch.core.model import Catalogue

    targets = (target("a", "2"), target("b", "1"), target("c", "2"), target("d", "1"), target("e", "2"))
    catalogue = Catalogue(targets=(*targets, target("a", "3")))
    assert [(a.account_id, [t.name for t in a.targets]) for a in catalogue.accounts()] == [
        ("1", ["b", "d"]),
        ("2", ["a", "c", "e"]),
        ("3", ["a"]),
    ]
    assert catalogue.find("a").account_id == "3" and catalogue.find("zzz") is None
