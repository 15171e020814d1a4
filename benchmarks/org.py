"""A synthetic organisation of a given size, written as a HOME folder.

Half the targets are role profiles in `~/.aws/config` (the way people already
write them), half are roles in roleswitch's TOML, spread over one account per
ten targets. The credentials file holds one section per target, as a big
organisation's tooling leaves behind, plus the long-term keys of the source.
"""

from __future__ import annotations

import os
from pathlib import Path

ROLES = (
    "Admin",
    "ReadOnly",
    "Deploy",
    "Developer",
    "Auditor",
    "Billing",
    "Support",
    "Network",
    "Data",
    "Ops",
)


def account_id(n: int) -> str:
    return f"{100000000000 + n * 7919:012d}"


def write_org(
    home: Path, targets: int, *, source_key: str = "AKIABENCHMARK0000001", source_secret: str = "x"
) -> Path:
    """Write HOME with `targets` targets; returns HOME."""
    aws = home / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    config = ["[default]\nregion = eu-west-1\n\n[profile corp]\nregion = eu-west-1\n"]
    toml = ['[settings]\nsource_profile = "corp"\nregion = "eu-west-1"\nsession_name = "bench"\n']
    credentials = [f"[corp]\naws_access_key_id = {source_key}\naws_secret_access_key = {source_secret}\n"]
    in_config = targets // 2
    for i in range(targets):
        account = i // 10
        role = ROLES[i % 10]
        if i < in_config:
            config.append(
                f"\n[profile acct{account}-{role.lower()}]\n"
                f"role_arn = arn:aws:iam::{account_id(account)}:role/{role}\n"
                "source_profile = corp\n"
                + ("mfa_serial = arn:aws:iam::999999999999:mfa/bench\n" if i % 50 == 7 else "")
            )
        else:
            if i % 10 == 0 or i == in_config:
                toml.append(
                    f'\n[accounts.team{account}]\nid = "{account_id(account)}"\nname = "Team {account:05d}"\n'
                )
            toml.append(f'[[accounts.team{account}.roles]]\nname = "{role}"\n')
        credentials.append(
            f"\n[cached-{i}]\naws_access_key_id = ASIACACHED{i:010d}\n"
            f"aws_secret_access_key = cached-secret-{i}\naws_session_token = cached-token-{i}\n"
        )
    (aws / "config").write_text("".join(config))
    path = aws / "credentials"
    path.write_text("".join(credentials))
    os.chmod(path, 0o600)
    (home / "roleswitch.toml").write_text("".join(toml))
    return home


def org_environment(home: Path) -> dict[str, str]:
    """Environment variables that point every AWS tool and roleswitch at `home` only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLESWITCH_", "XDG_"))}
    env.update(
        {
            "HOME": str(home),
            "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
            "ROLESWITCH_CONFIG": str(home / "roleswitch.toml"),
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure what users run: with cached bytecode
    return env
