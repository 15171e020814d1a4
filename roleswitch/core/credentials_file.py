"""Read and edit the AWS shared credentials file without losing a byte of it.

roleswitch owns exactly one section, the active profile, and marks it with
`manager = roleswitch`. Every other byte (comments, blank lines, other
sections, CRLF endings, a missing final newline, a BOM) is kept as it was.

Writes go through `GuardedFile`: locked, atomic, through symlinks; any refusal
or error leaves the file byte-for-byte untouched.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.clock import format_expiration, parse_expiration
from roleswitch.core.errors import WriteRefused
from roleswitch.core.guarded_file import LOCK_TIMEOUT_SECONDS, GuardedFile, atomic_write
from roleswitch.core.ini import IniDocument, Section, scan
from roleswitch.core.model import ActiveSession, AssumeResult, Credentials

MANAGER = "roleswitch"
CHOOSE_ANOTHER = "choose another active profile (--profile NAME, or active_profile in roleswitch's config)."
BOM = "\ufeff"
# Config-profile keys that make botocore ignore a same-named credentials section.
_SHADOWING_KEYS = ("role_arn", "credential_process", "web_identity_token_file")


class CredentialsFile:
    """The credentials file at `path` (default from the environment)."""

    def __init__(self, path: Path | None = None, config_path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.aws_credentials_path()
        self.config_path = Path(config_path) if config_path else paths.aws_config_path()
        self.file = GuardedFile(self.path, "credentials file", "AWS_SHARED_CREDENTIALS_FILE")

    def __repr__(self) -> str:
        return f"CredentialsFile({str(self.path)!r})"

    # --- reading ----------------------------------------------------------

    def read_active(self, profile: str) -> ActiveSession | None:
        """The session roleswitch wrote into `profile`, or None if there is none."""
        section, _ = self._our_section(profile)
        if section is None:
            return None
        values = section.values
        return ActiveSession(
            profile=profile,
            target_name=values.get("roleswitch_target") or None,
            role_arn=values.get("roleswitch_role_arn") or None,
            assumed_arn=values.get("roleswitch_assumed_arn") or None,
            access_key_id=values.get("aws_access_key_id") or None,
            expiration=parse_expiration(values.get("expiration", "")),
            region=values.get("region") or None,
        )

    def read_credentials(self, profile: str) -> Credentials | None:
        """The secrets of the session roleswitch wrote, for `export` lines."""
        section, _ = self._our_section(profile)
        if section is None:
            return None
        values = section.values
        expiration = parse_expiration(values.get("expiration", ""))
        if not values.get("aws_access_key_id") or expiration is None:
            return None
        return Credentials(
            access_key_id=values["aws_access_key_id"],
            secret_access_key=values.get("aws_secret_access_key", ""),
            session_token=values.get("aws_session_token", ""),
            expiration=expiration,
        )

    def _our_section(self, profile: str) -> tuple[Section | None, IniDocument | None]:
        text = self._read_text()
        if text is None:
            return None, None
        doc = scan(text.removeprefix(BOM))
        sections = doc.find(profile)
        if len(sections) != 1 or sections[0].values.get("manager") != MANAGER:
            return None, doc
        return sections[0], doc

    def _read_text(self) -> str | None:
        return self.file.read_text()

    # --- checks -------------------------------------------------------------

    def check_writable(self, profile: str, *, source_profile: str | None = None) -> None:
        """Raise `WriteRefused` if writing `profile` would clobber or be ignored, or would
        overwrite `source_profile`, the credentials the role is assumed with.

        Called before STS so a refusal never wastes an MFA code.
        """
        if source_profile is not None and source_profile == profile:
            raise WriteRefused(
                f"The role's source profile is '{profile}', the profile roleswitch would write; "
                f"{CHOOSE_ANOTHER}"
            )
        self._check_not_shadowed(profile)
        text = self._read_text()
        if text is not None:
            self._check_section(scan(text.removeprefix(BOM)), profile)

    def _check_not_shadowed(self, profile: str) -> None:
        try:
            text = self.config_path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            return
        header = "default" if profile == "default" else f"profile {profile}"
        for section in scan(text.removeprefix(BOM)).sections:
            if section.name not in (header, f"profile {profile}"):
                continue
            keys = [k for k in section.values if k in _SHADOWING_KEYS or k.startswith("sso_")]
            if keys:
                raise WriteRefused(
                    f"Profile '{profile}' in {self.config_path} sets {keys[0]}, so AWS tools would "
                    f"ignore credentials written to [{profile}]; {CHOOSE_ANOTHER}"
                )

    def _check_section(self, doc: IniDocument, profile: str) -> Section | None:
        sections = doc.find(profile)
        if len(sections) > 1:
            lines = ", ".join(str(s.header + 1) for s in sections)
            raise WriteRefused(
                f"[{profile}] appears more than once in {self.path} (lines {lines}); "
                "merge them by hand first."
            )
        if not sections:
            return None
        section = sections[0]
        if section.values and section.values.get("manager") != MANAGER:
            what = "long-term keys" if "aws_access_key_id" in section.values else "settings"
            raise WriteRefused(
                f"[{profile}] in {self.path} holds {what} that roleswitch did not write; {CHOOSE_ANOTHER}"
            )
        for problem in doc.problems:
            # A line in the section that is not `key = value` could end up read as part of
            # roleswitch's last value once the section is rewritten: leave it to a person.
            if section.header < problem.line - 1 < section.end and "not `key = value`" in problem.message:
                raise WriteRefused(
                    f"[{profile}] in {self.path} has a line that is not `key = value` (line "
                    f"{problem.line}); fix or remove it first."
                )
        return section

    # --- writing ------------------------------------------------------------

    def write(self, profile: str, result: AssumeResult) -> None:
        """Make `profile` hold the credentials of `result`."""
        self._check_not_shadowed(profile)
        lines = section_lines(profile, result)
        with self._locked():
            text = self._read_text()
            new_text = upsert_section(text or "", profile, lines, self._check_section)
            self._replace(new_text, created=text is None)

    def clear(self, profile: str) -> bool:
        """Remove `profile` if roleswitch wrote it; False if there was nothing to remove."""
        with self._locked():
            text = self._read_text()
            if text is None:
                return False
            section = self._check_section(scan(text.removeprefix(BOM)), profile)
            if section is None or section.values.get("manager") != MANAGER:
                return False
            self._replace(remove_section(text, section), created=False)
            return True

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return self.file.locked()

    def permission_warning(self) -> str | None:
        return self.file.permission_warning()

    def _replace(self, text: str, *, created: bool) -> None:
        self.file.replace(text, created=created)


def section_lines(profile: str, result: AssumeResult) -> list[str]:
    """The lines of roleswitch's section, without line endings."""
    creds = result.credentials
    lines = [
        f"[{profile}]",
        f"aws_access_key_id = {creds.access_key_id}",
        f"aws_secret_access_key = {creds.secret_access_key}",
        f"aws_session_token = {creds.session_token}",
        f"expiration = {format_expiration(creds.expiration)}",
    ]
    if result.region:
        lines.append(f"region = {result.region}")
    lines += [
        f"manager = {MANAGER}",
        f"roleswitch_target = {result.target.name}",
        f"roleswitch_role_arn = {result.target.role_arn}",
        f"roleswitch_assumed_arn = {result.assumed_arn}",
    ]
    return lines


def upsert_section(text: str, profile: str, new_lines: list[str], check=None) -> str:
    """`text` with section `profile` replaced by `new_lines` (or appended).

    `check(doc, profile)` may raise to refuse; it returns the existing section.
    """
    bom = BOM if text.startswith(BOM) else ""
    body = text.removeprefix(BOM)
    doc = scan(body)
    section = check(doc, profile) if check else _single(doc, profile)
    nl = doc.newline
    block = "".join(line + nl for line in new_lines)
    lines = doc.lines
    if section is not None:
        before = lines[: section.header]
        after = lines[section.content_end :]
        if not after and lines and not lines[-1].endswith("\n"):
            block = block[: -len(nl)]  # the file had no final newline: keep it that way
        return bom + "".join(before) + block + "".join(after)
    prefix = body
    if prefix and not prefix.endswith("\n"):
        prefix += nl
    if prefix and lines[-1].strip():
        prefix += nl  # one blank line between the last section and ours
    return bom + prefix + block


def remove_section(text: str, section: Section) -> str:
    """`text` without `section`'s header and keys; the blank line added before it goes too."""
    bom = BOM if text.startswith(BOM) else ""
    lines = scan(text.removeprefix(BOM)).lines
    before = lines[: section.header]
    after = lines[section.content_end :]
    if not after and before and not before[-1].strip():
        before = before[:-1]
    return bom + "".join(before) + "".join(after)


def _single(doc: IniDocument, profile: str) -> Section | None:
    found = doc.find(profile)
    return found[0] if found else None


__all__ = [
    "LOCK_TIMEOUT_SECONDS",
    "CredentialsFile",
    "atomic_write",
    "format_expiration",
    "parse_expiration",
    "remove_section",
    "section_lines",
    "upsert_section",
]
