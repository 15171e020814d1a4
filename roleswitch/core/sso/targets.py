"""Targets from IAM Identity Center: the AWS config's SSO profiles, and discovered roles.

An SSO role has no IAM role ARN the person ever types; its `role_arn` is built for
display as `arn:PARTITION:iam::ACCOUNT_ID:role/ROLE_NAME` (the partition from the
session's region). Its credentials come from GetRoleCredentials, never from STS.
"""

from __future__ import annotations

from collections.abc import Mapping

from roleswitch.core import validate
from roleswitch.core.errors import ValidationError
from roleswitch.core.model import Target
from roleswitch.core.sso.config import SsoProfile, SsoSession
from roleswitch.core.sso.discovery import Discovery

ORIGIN = "sso"
_ROLE_NAME_MAX = 128  # the portal's limit on a role (permission set) name


def partition_of(region: str) -> str:
    """The ARN partition a region belongs to (aws outside China and GovCloud)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def display_arn(session: SsoSession | None, account_id: str, role_name: str) -> str:
    partition = partition_of(session.region) if session is not None else "aws"
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def profile_target(
    name: str,
    values: Mapping[str, str],
    line: int,
    file: str,
    profile: SsoProfile | None,
    session: SsoSession | None,
) -> Target:
    """A config profile with sso_account_id + sso_role_name as a target named after it.

    `profile` and `session` are what `load_sso_config` made of it; None when its
    session is missing or invalid (that file-level problem is reported once)."""
    account_id = values.get("sso_account_id", "").strip()
    role_name = values.get("sso_role_name", "").strip()
    problem = None
    try:
        validate.account_id(account_id)
        role_name_problem(role_name)
    except ValidationError as error:
        problem = str(error)
    if problem is None and (profile is None or session is None):
        problem = (
            "its sso_session (or sso_start_url and sso_region) is missing or invalid; "
            "see the warnings of roleswitch list."
        )
    return Target(
        name=name,
        origin="aws-config",
        role_arn=display_arn(session, account_id, role_name),
        account_id=account_id,
        role_name=role_name or "?",
        region=(values.get("region") or "").strip() or None,
        file=file,
        line=line,
        problem=problem,
        sso_session=session.name if session is not None else (profile.session if profile else None),
    )


def role_name_problem(role_name: str) -> None:
    """Raise the sentence when `role_name` cannot be an Identity Center role name."""
    if not role_name or len(role_name) > _ROLE_NAME_MAX or not role_name.isprintable():
        raise ValidationError(
            f"sso_role_name {role_name[:60]!r} is not a role name IAM Identity Center uses."
        )


def discovered_targets(
    discovery: Discovery, session: SsoSession, *, region: str | None, file: str
) -> list[Target]:
    """Every role of a discovery as a target named `SESSION/ACCOUNT_NAME/ROLE`."""
    partition = partition_of(session.region)
    targets = []
    for role in discovery.roles():
        account_name = role.account_name or None
        targets.append(
            Target(
                role.target_name,
                ORIGIN,
                f"arn:{partition}:iam::{role.account_id}:role/{role.role_name}",
                role.account_id,
                role.role_name,
                account_name,
                None,
                None,
                region,
                file=file,
                sso_session=session.name,
            )
        )
    return targets
