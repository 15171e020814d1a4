"""One way to build test values, so each test names only what it cares about."""

from __future__ import annotations

from roleswitch.core.model import Target


def make_target(**overrides: object) -> Target:
    """`prod/Admin` in account 111111111111, sourced from `corp`, unless told otherwise."""
    fields: dict[str, object] = {
        "name": "prod/Admin",
        "origin": "roleswitch",
        "role_arn": "arn:aws:iam::111111111111:role/Admin",
        "account_id": "111111111111",
        "role_name": "Admin",
        "source_profile": "corp",
    }
    fields.update(overrides)
    return Target(**fields)
