"""`credential_process` profiles in the AWS config file that run roleswitch.

With `[profile prod-admin]` holding `credential_process = roleswitch
credential-process prod/Admin`, every SDK and the AWS CLI get the role's
credentials from roleswitch and refresh them on their own: no exported
variables that die mid-task. roleswitch edits only the profiles it wrote
(`manager = roleswitch`), through the same byte-preserving, locked, atomic
editor as the credentials file.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.config_profiles import defaults_of, profile_name, sections_of
from roleswitch.core.credentials_file import (
    BOM,
    MANAGER,
    check_value,
    refuse_bom,
    remove_section,
    upsert_section,
)
from roleswitch.core.errors import NameTaken, ValidationError, WriteRefused
from roleswitch.core.guarded_file import GuardedFile
from roleswitch.core.ini import DEFAULTS, IniDocument, Section, scan
from roleswitch.core.model import Target

PROFILE_NAME_RE = re.compile(r"^[\w+=,.@/-]{1,64}$", re.ASCII)


def default_profile_name(target: Target) -> str:
    """`prod/Admin` -> `prod-Admin`, a name a person can type in AWS_PROFILE; a role from
    the AWS config file already owns its name, so its SDK profile is `NAME-roleswitch`."""
    name = re.sub(r"[^\w+=,.@-]+", "-", target.name, flags=re.ASCII).strip("-") or "role"
    return f"{name}-roleswitch" if target.origin == "aws-config" else name


def process_command(target_name: str, *, yes: bool = False) -> str:
    """The command line an SDK runs; it names this very installation of roleswitch. With
    `yes` (a target whose environment asks first, confirmed once when the profile was
    written) it carries `--yes`, since credential-process never asks."""
    script = Path(sys.executable).with_name("roleswitch")
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "roleswitch"]
    return shlex.join([*base, "credential-process", target_name, *(["--yes"] if yes else [])])


def _profile_value(doc: IniDocument, profile: str | None, key: str) -> str | None:
    """`key` of config profile `profile` as botocore reads it: the last section defining
    the profile wins, and `[DEFAULT]` fills in what it lacks."""
    if not profile:
        return None
    sections = sections_of(doc.sections, profile)
    values = {**defaults_of(doc.sections), **(sections[-1].values if sections else {})}
    return values.get(key) or None


class SdkProfiles:
    """The AWS config file's roleswitch-written `credential_process` profiles."""

    def __init__(self, config_path: Path | None = None, credentials_path: Path | None = None) -> None:
        self.config_path = Path(config_path) if config_path else paths.aws_config_path()
        self.credentials_path = Path(credentials_path) if credentials_path else paths.aws_credentials_path()
        self.file = GuardedFile(self.config_path, "AWS config file", "AWS_CONFIG_FILE")

    def __repr__(self) -> str:
        return f"SdkProfiles({str(self.config_path)!r})"

    def read(self) -> dict[str, str]:
        """Profile name -> target name, for the profiles roleswitch wrote."""
        text = self.file.read_text()
        if text is None:
            return {}
        found = {}
        for section in scan(text.removeprefix(BOM)).sections:
            name = profile_name(section.name)
            if section.values.get("manager") == MANAGER and name is not None:
                found[name] = section.values.get("roleswitch_target", "")
        return found

    def add(self, name: str, target: Target, *, active_profile: str | None = None, yes: bool = False) -> str:
        """Write (or rewrite) profile `name` for `target`; returns its command line (with
        `--yes` when `yes`: see `process_command`)."""
        if name == DEFAULTS:
            raise NameTaken(
                f"'{DEFAULTS}' cannot be a profile name, since AWS tools give that section's keys to "
                "every profile"
            )
        if not PROFILE_NAME_RE.fullmatch(name):
            raise ValidationError(
                f"profile name '{name}' must be 1 to 64 letters, digits or +=,.@/_- characters."
            )
        if not target.valid:
            raise ValidationError(f"{target.name} cannot be assumed: {target.problem}")
        if name in (target.source_profile, active_profile):
            what = "the role's source profile" if name == target.source_profile else "the active profile"
            raise NameTaken(f"'{name}' is {what}, and a credential_process profile there would hide its keys")
        self._check_credentials_file(name)
        command = process_command(target.name, yes=yes)
        with self.file.locked():
            text = self.file.read_text()
            refuse_bom(text or "", self.config_path)
            doc = scan((text or "").removeprefix(BOM))
            # SDKs need a region; a role profile often leaves it to its source profile.
            region = target.region or _profile_value(doc, target.source_profile, "region")
            # The last line of defence: nothing that could start a new line or section.
            lines = [
                f"[profile {name}]" if name != "default" else "[default]",
                f"credential_process = {check_value('credential_process command', command)}",
                *([f"region = {check_value('region', region)}"] if region else []),
                f"manager = {MANAGER}",
                f"roleswitch_target = {check_value('target name', target.name)}",
            ]
            new_text = upsert_section(text or "", name, lines, self._check_to_write, full_scan=True)
            self.file.replace(new_text, created=text is None)
        return command

    def remove(self, name: str) -> bool:
        """Remove profile `name` if roleswitch wrote it; False if there is no such profile."""
        with self.file.locked():
            text = self.file.read_text()
            if text is None:
                return False
            section = self._check_section(scan(text.removeprefix(BOM)), name, removing=True)
            if section is None:
                return False
            self.file.replace(remove_section(text, section), created=False)
            return True

    def _check_to_write(self, doc: IniDocument, name: str) -> Section | None:
        """`_check_section`, and no `[DEFAULT]` keys that botocore would mix into the profile."""
        if defaults_of(doc.sections):
            raise WriteRefused(
                f"[{DEFAULTS}] in {self.config_path} gives its keys to every profile, so AWS tools would "
                f"mix them into profile '{name}'; move them into the profiles that need them first."
            )
        return self._check_section(doc, name)

    def _check_section(self, doc: IniDocument, name: str, *, removing: bool = False) -> Section | None:
        """The one section defining profile `name` (however its header is spelt), if
        roleswitch wrote it; refuses one it did not write, or more than one."""
        sections = sections_of(doc.sections, name)
        if len(sections) > 1:
            lines = ", ".join(str(s.header + 1) for s in sections)
            raise WriteRefused(
                f"Profile '{name}' appears more than once in {self.config_path} (lines {lines}); "
                "merge them by hand first."
            )
        if not sections:
            return None
        section = sections[0]
        if section.values.get("manager") != MANAGER:
            problem = f"Profile '{name}' in {self.config_path} was not written by roleswitch"
            if removing:
                raise WriteRefused(
                    f"{problem}; roleswitch removes only profiles it wrote, "
                    "so remove it by hand if you mean to."
                )
            raise NameTaken(problem)
        return section

    def _check_credentials_file(self, name: str) -> None:
        """A config profile with credential_process hides a same-named credentials section."""
        try:
            text = self.credentials_path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return
        if scan(text.removeprefix(BOM)).find(name):
            raise NameTaken(
                f"[{name}] exists in {self.credentials_path}, and a credential_process profile of "
                "the same name would hide it"
            )
