"""Read and edit the AWS shared credentials file without losing a byte of it.

roleswitch marks every section it writes (its sessions: the active profile, and any
named profile a role was assumed into) with `manager = roleswitch`. Every other byte
(comments, blank lines, other sections, CRLF endings, a missing final newline, a BOM)
is kept as it was.

Writes go through `GuardedFile`: locked, atomic, through symlinks; any refusal
or error leaves the file byte-for-byte untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.clock import format_expiration, parse_expiration
from roleswitch.core.config_profiles import find_profile
from roleswitch.core.errors import SessionReplaced, ValidationError, WriteRefused
from roleswitch.core.guarded_file import LOCK_TIMEOUT_SECONDS, GuardedFile, atomic_write
from roleswitch.core.ini import (
    DEFAULTS,
    IniDocument,
    Section,
    has_lone_cr,
    header_name,
    newline_of,
    scan,
    section_name_problem,
    section_values,
    section_windows,
)
from roleswitch.core.model import ActiveSession, AssumeResult, Credentials
from roleswitch.core.regular_file import read_regular_file

MANAGER = "roleswitch"
# Written when roleswitch fills a section that was an empty header, so that `clear`
# puts the empty header back instead of removing it.
PLACEHOLDER = "roleswitch_placeholder"
CHOOSE_ANOTHER = "choose another active profile (--profile NAME, or active_profile in roleswitch's config)."
BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")
_LINE_ENDINGS = ("\n", "\r")
# Config-profile keys that make botocore ignore a same-named credentials section.
_SHADOWING_KEYS = ("role_arn", "credential_process", "web_identity_token_file")
# What STS hands out: key ids are upper-case letters and digits, secrets and tokens are
# base64 (the URL-safe `-` and `_` allowed too). Anything else could break the INI file.
_KEY_ID_RE = re.compile(r"[A-Z0-9]{16,128}")
_SECRET_RE = re.compile(r"[A-Za-z0-9+/=_-]+")
# A line that `scan` reads as `manager = roleswitch` (key case-insensitive, any spacing): how
# `sessions` finds roleswitch's sections in a file of thousands without scanning them all,
# after a search for its literal end (which the regex engine does at the speed of `find`).
_MANAGER_VALUE_RE = re.compile(r"roleswitch(?=[^\S\r\n]*\r?$)", re.M)
_MANAGER_LINE_RE = re.compile(
    r"^[^\S\r\n]*(?i:manager)[^\S\r\n]*[=:][^\S\r\n]*roleswitch[^\S\r\n]*\r?$", re.M
)


class _NoSession:
    def __repr__(self) -> str:
        return "NO_SESSION"


# `write(..., expect_access_key_id=NO_SESSION)`: the profile must hold no session of roleswitch's.
NO_SESSION = _NoSession()


class CredentialsFile:
    """The credentials file at `path` (default from the environment)."""

    def __init__(self, path: Path | None = None, config_path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.aws_credentials_path()
        self.config_path = Path(config_path) if config_path else paths.aws_config_path()
        self.file = GuardedFile(self.path, "credentials file", "AWS_SHARED_CREDENTIALS_FILE")
        # (profile, the config file's stat signature) last found not shadowed: a renewal
        # does not re-read a config file of 10,000 profiles that has not changed since.
        self._not_shadowed: tuple[str, tuple[int, ...]] | None = None

    def __repr__(self) -> str:
        return f"CredentialsFile({str(self.path)!r})"

    # --- reading ----------------------------------------------------------

    def read_active(self, profile: str) -> ActiveSession | None:
        """The session roleswitch wrote into `profile`, or None if there is none."""
        values = self._our_values(profile)
        return None if values is None else _session(profile, values)

    def sessions(self) -> tuple[ActiveSession, ...]:
        """Every session roleswitch wrote (every `manager = roleswitch` section), in file order.

        The app calls this whenever the file changes, and the file may hold thousands of
        sections: only the sections holding a `manager = roleswitch` line are scanned (found
        by one regular-expression search), each read exactly as `read_active` reads it; a
        file with a lone CR line ending is scanned whole. A repeated section is no session,
        as for `read_active`.
        """
        text = self._read_text()
        if text is None:
            return ()
        return tuple(_session(name, values) for name, values in _our_sections(text.removeprefix(BOM)))

    def read_credentials(self, profile: str) -> Credentials | None:
        """The secrets of the session roleswitch wrote, for `export` lines."""
        values = self._our_values(profile)
        return None if values is None else _credentials(values)

    def _our_values(self, profile: str) -> dict[str, str] | None:
        """The keys of `profile` if roleswitch wrote it; only that section is read."""
        text = self._read_text()
        if text is None:
            return None
        values = section_values(text.removeprefix(BOM), profile)
        if values is None or values.get("manager") != MANAGER:
            return None
        return values

    def _read_text(self) -> str | None:
        return self.file.read_text()

    # --- checks -------------------------------------------------------------

    def check_writable(self, profile: str, *, source_profile: str | None = None) -> None:
        """Raise `WriteRefused` if writing `profile` would clobber or be ignored, or would
        overwrite `source_profile`, the credentials the role is assumed with.

        Called before STS so a refusal never wastes an MFA code.
        """
        check_section_name(profile)
        if source_profile is not None and source_profile == profile:
            raise WriteRefused(
                f"The role's source profile is '{profile}', the profile roleswitch would write; "
                f"{CHOOSE_ANOTHER}"
            )
        self._check_not_shadowed(profile)
        text = self._read_text()
        self.file.check_replaceable()  # a device, hard links, another user's file
        if text is not None:
            refuse_bom(text, self.path)
            self._check_to_write(_scanned_for(text.encode("utf-8"), profile), profile)

    def _check_not_shadowed(self, profile: str) -> None:
        """Refuse when a config profile of the same name, however its header is spelt,
        has settings that make botocore ignore the credentials file's section."""
        signature = _stat_signature(self.config_path)
        if signature is not None and self._not_shadowed == (profile, signature):
            return
        try:
            data = read_regular_file(self.config_path)  # never blocks on a FIFO
        except OSError:
            return
        self._refuse_if_shadowed(profile, data)
        if signature is not None and signature == _stat_signature(self.config_path):
            self._not_shadowed = (profile, signature)

    def _refuse_if_shadowed(self, profile: str, data: bytes) -> None:
        for section in find_profile(data, profile):
            keys = [k for k in section.values if k in _SHADOWING_KEYS or k.startswith("sso_")]
            if keys:
                raise WriteRefused(
                    f"Profile '{profile}' in {self.config_path} sets {keys[0]}, so AWS tools would "
                    f"ignore credentials written to [{profile}]; {CHOOSE_ANOTHER}"
                )

    def _check_to_write(self, doc: IniDocument, profile: str) -> Section | None:
        """`_check_section`, and no `[DEFAULT]` keys that botocore would mix into ours."""
        if any(section.values for section in doc.find(DEFAULTS)):
            raise WriteRefused(
                f"[{DEFAULTS}] in {self.path} gives its keys to every profile, so AWS tools would mix "
                f"them into [{profile}]; move them into the profiles that need them first."
            )
        return self._check_section(doc, profile)

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

    def write(
        self,
        profile: str,
        result: AssumeResult,
        *,
        expect_access_key_id: str | _NoSession | None = None,
    ) -> None:
        """Make `profile` hold the credentials of `result`.

        With `expect_access_key_id`, only if `profile` still holds roleswitch's session with
        that key id (or, with `NO_SESSION`, none of roleswitch's): checked under the lock, so
        that a renewal never overwrites what another program wrote after it looked; else
        `SessionReplaced` and the file is untouched.
        """
        lines = section_lines(profile, result)
        self._check_not_shadowed(profile)
        with self._locked():
            data = self.file.read_checked_bytes()
            refuse_bom(data or b"", self.path)
            check: Callable[[IniDocument, str], Section | None] = self._check_to_write
            if expect_access_key_id is not None:
                check = self._expecting(expect_access_key_id)
            new_data = upsert_section_bytes(data or b"", profile, lines, check)
            self.file.replace_bytes(new_data, created=data is None)

    def _expecting(self, expected: str | _NoSession) -> Callable[[IniDocument, str], Section | None]:
        """`_check_to_write`, after making sure the section still holds roleswitch's session
        with key id `expected` (none of roleswitch's, for `NO_SESSION`)."""

        def check(doc: IniDocument, profile: str) -> Section | None:
            sections = doc.find(profile)
            if len(sections) <= 1:  # more than one: `_check_to_write` says so
                values = sections[0].values if sections else {}
                ours = values.get("manager") == MANAGER
                key_id = values.get("aws_access_key_id", "") if ours else None
                if key_id != (None if expected is NO_SESSION else expected):
                    raise SessionReplaced(
                        f"Another program changed [{profile}] since this session was read; "
                        "nothing was written."
                    )
            return self._check_to_write(doc, profile)

        return check

    def copy_session(self, from_profile: str, to_profile: str, *, expect_access_key_id: str) -> None:
        """Make `to_profile` hold the session in `from_profile` ("make default"): its
        credentials, region and roleswitch's markers, so tools that read `to_profile` use it.

        Refused as `write` refuses (never over keys roleswitch did not write, never a shadowed
        profile); `SessionReplaced` when `from_profile` no longer holds roleswitch's session
        with key id `expect_access_key_id`. The copy is a session of its own afterwards.
        """
        check_section_name(to_profile)
        if from_profile == to_profile:
            raise ValidationError(f"[{from_profile}] already holds this session; choose another profile.")
        self._check_not_shadowed(to_profile)
        with self._locked():
            data = self.file.read_checked_bytes()
            refuse_bom(data or b"", self.path)
            values = _values_if_expected(data or b"", from_profile, expect_access_key_id)
            lines = _lines_from_values(to_profile, values, region=values.get("region") or None)
            new_data = upsert_section_bytes(data or b"", to_profile, lines, self._check_to_write)
            self.file.replace_bytes(new_data, created=data is None)

    def set_region(self, profile: str, region: str | None, *, expect_access_key_id: str) -> None:
        """Make roleswitch's session in `profile` name `region` (None: no `region` line), so
        AWS tools using the profile call that region. `SessionReplaced` when `profile` no
        longer holds roleswitch's session with key id `expect_access_key_id`."""
        if region is not None:
            from roleswitch.core.regions import check_region

            check_region(region)
        self._check_not_shadowed(profile)
        with self._locked():
            data = self.file.read_checked_bytes()
            refuse_bom(data or b"", self.path)
            values = _values_if_expected(data or b"", profile, expect_access_key_id)
            lines = _lines_from_values(profile, values, region=region)
            check = self._expecting(expect_access_key_id)
            self.file.replace_bytes(upsert_section_bytes(data or b"", profile, lines, check), created=False)

    def clear(self, profile: str, *, expect_access_key_id: str | None = None) -> bool:
        """Remove `profile` if roleswitch wrote it; False if there was nothing to remove.

        With `expect_access_key_id`, only if `profile` still holds roleswitch's session with
        that key id (checked under the lock): else `SessionReplaced` and the file is untouched,
        so a clear never removes a session another program wrote after it was asked about."""
        with self._locked():
            text = self._read_text()
            if text is None and expect_access_key_id is None:
                return False
            section = self._check_section(scan((text or "").removeprefix(BOM)), profile)
            ours = section is not None and section.values.get("manager") == MANAGER
            if expect_access_key_id is not None and (
                not ours or section is None or section.values.get("aws_access_key_id") != expect_access_key_id
            ):
                raise SessionReplaced(
                    f"Another program changed [{profile}] since you were asked; nothing was removed."
                )
            if text is None or section is None or not ours:
                return False
            self._replace(remove_section(text, section), created=False)
            return True

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return self.file.locked()

    def permission_warning(self) -> str | None:
        return self.file.permission_warning()

    def _replace(self, text: str, *, created: bool) -> None:
        self.file.replace(text, created=created)


def refuse_bom(content: str | bytes, path: Path) -> None:
    """botocore reads AWS files without skipping a byte-order mark, so it cannot parse one
    that starts with it: writing there would report success for credentials no tool uses."""
    starts_with_bom = content.startswith(BOM) if isinstance(content, str) else content.startswith(BOM_BYTES)
    if starts_with_bom:
        raise WriteRefused(
            f"{path} starts with a byte-order mark, which AWS tools cannot read; "
            "save it as UTF-8 without one first."
        )


def check_section_name(name: str) -> None:
    """Raise unless `[name]` reads back, for botocore, as exactly one section called `name`."""
    if name == DEFAULTS:
        raise WriteRefused(
            f"[{DEFAULTS}] is not a profile: AWS tools give its keys to every other profile; {CHOOSE_ANOTHER}"
        )
    problem = section_name_problem(name)
    if problem:
        raise ValidationError(f"profile name {problem}; choose another.")


def check_value(what: str, value: str) -> str:
    """`value`, if it reads back unchanged as one INI value (no line breaks or controls)."""
    if value != value.strip() or not value.isprintable():
        raise ValidationError(
            f"the {what} to write ({value[:40]!r}) has a line break, control character or "
            "surrounding space; nothing was written."
        )
    return value


def section_lines(profile: str, result: AssumeResult) -> list[str]:
    """The lines of roleswitch's section, without line endings."""
    return _lines(
        profile,
        result.credentials,
        result.region,
        result.target.name,
        result.target.role_arn,
        result.assumed_arn,
    )


def _lines(
    profile: str,
    creds: Credentials,
    region: str | None,
    target_name: str,
    role_arn: str,
    assumed_arn: str,
) -> list[str]:
    """The lines of roleswitch's section for these values.

    The last line of defence against a value that would inject a section or key into
    the file: every name and value is checked here, whatever checked it before.
    """
    check_section_name(profile)
    if not _KEY_ID_RE.fullmatch(creds.access_key_id):
        raise ValidationError(
            "the access key id STS returned is not 16 to 128 capital letters and digits; nothing was written."
        )
    for what, secret in (
        ("secret access key", creds.secret_access_key),
        ("session token", creds.session_token),
    ):
        if not _SECRET_RE.fullmatch(secret):
            raise ValidationError(f"the {what} STS returned is not base64; nothing was written.")
    lines = [
        f"[{profile}]",
        f"aws_access_key_id = {creds.access_key_id}",
        f"aws_secret_access_key = {creds.secret_access_key}",
        f"aws_session_token = {creds.session_token}",
        f"expiration = {format_expiration(creds.expiration)}",
    ]
    if region:
        lines.append(f"region = {check_value('region', region)}")
    lines += [
        f"manager = {MANAGER}",
        f"roleswitch_target = {check_value('target name', target_name)}",
        f"roleswitch_role_arn = {check_value('role ARN', role_arn)}",
        f"roleswitch_assumed_arn = {check_value('assumed-role ARN', assumed_arn)}",
    ]
    return lines


def _session(profile: str, values: dict[str, str]) -> ActiveSession:
    return ActiveSession(
        profile=profile,
        target_name=values.get("roleswitch_target") or None,
        role_arn=values.get("roleswitch_role_arn") or None,
        assumed_arn=values.get("roleswitch_assumed_arn") or None,
        access_key_id=values.get("aws_access_key_id") or None,
        expiration=parse_expiration(values.get("expiration", "")),
        region=values.get("region") or None,
    )


def _credentials(values: dict[str, str]) -> Credentials | None:
    expiration = parse_expiration(values.get("expiration", ""))
    if not values.get("aws_access_key_id") or expiration is None:
        return None
    return Credentials(
        access_key_id=values["aws_access_key_id"],
        secret_access_key=values.get("aws_secret_access_key", ""),
        session_token=values.get("aws_session_token", ""),
        expiration=expiration,
    )


def _our_sections(text: str) -> list[tuple[str, dict[str, str]]]:
    """(name, values) of every `manager = roleswitch` section of `text` (no BOM), in file
    order, leaving out any name that appears more than once (see `sessions`).

    Each `manager` line found lies in a window from the column-0 header before it (or the
    file's start) to the next one; a scan from a column-0 header gives exactly what a full
    scan gives for those lines (see `ini.section_windows`), so only those windows are read.
    """
    if has_lone_cr(text):
        return _our_sections_of(scan(text).sections, text)
    sections: list[Section] = []
    seen: set[int] = set()
    for match in _MANAGER_VALUE_RE.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if not _MANAGER_LINE_RE.match(text, line_start):
            continue
        start = _window_start(text, line_start)
        if start in seen:
            continue
        seen.add(start)
        sections += scan(text[start : _window_end(text, match.end())]).sections
    return _our_sections_of(sections, text)


def _our_sections_of(sections: list[Section], text: str) -> list[tuple[str, dict[str, str]]]:
    ours = [s for s in sections if s.name != DEFAULTS and s.values.get("manager") == MANAGER]
    if not ours:
        return []
    # Each name's `[name]` counted in one pass (a search for `[`, then the names).
    names = re.compile("\\[(" + "|".join(re.escape(s.name) for s in ours) + ")\\]")
    counts: dict[str, int] = {}
    for name in names.findall(text):
        counts[name] = counts.get(name, 0) + 1
    return [
        (s.name, s.values)
        for s in ours
        # A repeated section (botocore refuses the file) is no session, as for `read_active`;
        # `[name]` found more than once may also be a comment or a value: let it decide.
        if counts.get(s.name, 0) <= 1 or section_values(text, s.name) is not None
    ]


def _window_end(text: str, at: int) -> int:
    """Where the next column-0 header line after offset `at` starts (the file's end if none)."""
    while True:
        start = text.find("\n[", at) + 1
        if start == 0:
            return len(text)
        end = text.find("\n", start)
        if header_name(text[start : len(text) if end == -1 else end].strip()) is not None:
            return start
        at = start


def _window_start(text: str, at: int) -> int:
    """Where the column-0 header line before offset `at` starts (0 if there is none)."""
    while at > 0:
        start = text.rfind("\n[", 0, at) + 1
        if start == 0:
            return 0
        end = text.find("\n", start)
        if header_name(text[start : len(text) if end == -1 else end].strip()) is not None:
            return start
        at = start - 1  # a `[` that opens no header: a line of the section above
    return 0


def _values_if_expected(data: bytes, profile: str, expected: str) -> dict[str, str]:
    """The values of roleswitch's session in `profile` of the file `data`, if it still holds
    the one with key id `expected`; else `SessionReplaced`."""
    text = data.decode("utf-8").removeprefix(BOM)
    values = section_values(text, profile)
    if values is None or values.get("manager") != MANAGER or values.get("aws_access_key_id") != expected:
        raise SessionReplaced(
            f"Another program changed [{profile}] since this session was read; nothing was written."
        )
    return values


def _lines_from_values(profile: str, values: dict[str, str], *, region: str | None) -> list[str]:
    """The lines of roleswitch's section `profile` holding the session in `values` (a
    section of roleswitch's), with `region`; every value checked again by `_lines`."""
    creds = _credentials(values)
    if creds is None:
        raise ValidationError(f"[{profile}] holds no complete session of roleswitch's; nothing was written.")
    return _lines(
        profile,
        creds,
        region,
        values.get("roleswitch_target", ""),
        values.get("roleswitch_role_arn", ""),
        values.get("roleswitch_assumed_arn", ""),
    )


def upsert_section(text: str, profile: str, new_lines: list[str], check=None, *, full_scan=False) -> str:
    """`text` with section `profile` replaced by `new_lines` (or appended).

    `check(doc, profile)` may raise to refuse; it returns the existing section. With
    `full_scan`, `check` sees every section of the file (for headers spelt in more
    than one way, like the AWS config file's `[profile  NAME]`).
    """
    if full_scan:
        bom = BOM if text.startswith(BOM) else ""
        return bom + _upsert_scanned(text.removeprefix(BOM), profile, new_lines, check)
    return upsert_section_bytes(text.encode("utf-8"), profile, new_lines, check).decode("utf-8")


def upsert_section_bytes(data: bytes, profile: str, new_lines: list[str], check=None) -> bytes:
    """`upsert_section` on the file's bytes, which is how the editor calls it.

    Only the section's own lines are decoded and scanned (see `ini.section_windows`),
    and the rest of the file is copied once, as bytes: a file with 10,000 sections
    costs little more than one with ten. A `[DEFAULT]` section anywhere (whose keys
    botocore gives to every section) sends it to the full scan, so `check` sees it.
    """
    bom = BOM_BYTES if data.startswith(BOM_BYTES) else b""
    body = data[len(bom) :]
    windows = None if f"[{DEFAULTS}]".encode() in body else section_windows(body, profile)
    if windows is None:
        return bom + _upsert_scanned(body.decode("utf-8"), profile, new_lines, check).encode("utf-8")
    doc = _windows_doc(windows, profile)
    section = check(doc, profile) if check else _single(doc, profile)
    nl = newline_of(body)
    if section is not None:
        window = next(w for w in windows if section in w.doc.sections)
        own = window.doc.lines[: section.content_end - window.first_line]
        cut = window.start + len("".join(own).encode("utf-8"))
        block = _refilled(own, section, new_lines, nl)
        view = memoryview(body)
        return b"".join((bom, view[: window.start], block.encode("utf-8"), view[cut:]))
    return bom + _appended(body.decode("utf-8"), new_lines, nl).encode("utf-8")


def _windows_doc(windows, profile: str) -> IniDocument:
    """The sections named `profile` and the problems of `windows`, as one document."""
    return IniDocument(
        lines=[],
        sections=[s for w in windows for s in w.doc.sections if s.name == profile],
        problems=[p for w in windows for p in w.doc.problems],
    )


def _scanned_for(body: bytes, profile: str) -> IniDocument:
    """What `_check_to_write` needs of the file `body` for `profile`: only that section's
    windows, as `upsert_section_bytes` writes it, or the full scan when only it can tell."""
    windows = None if f"[{DEFAULTS}]".encode() in body else section_windows(body, profile)
    return scan(body.decode("utf-8")) if windows is None else _windows_doc(windows, profile)


def _appended(body: str, new_lines: list[str], nl: str) -> str:
    """`body` with a new section at its end, after exactly one added line ending: it ends
    a last line that had none, or else makes one blank line. `remove_section` takes it back."""
    block = "".join(line + nl for line in new_lines)
    return body + nl + block if body else block


def _refilled(own: list[str], section: Section, new_lines: list[str], nl: str) -> str:
    """The new text of an existing section: its own header line kept as it was, its keys
    replaced. Filling an empty header adds the `PLACEHOLDER` key, kept on rewrites, so
    that `remove_section` can leave the empty header as it found it."""
    header = own[0]
    placeholder = not section.values or PLACEHOLDER in section.values
    keys = new_lines[1:] + ([f"{PLACEHOLDER} = true"] if placeholder else [])
    block = header if header.endswith(_LINE_ENDINGS) else header + nl
    block += "".join(line + nl for line in keys)
    if not own[-1].endswith(_LINE_ENDINGS):
        block = block[: -len(nl)]  # the section ended the file without a final newline: keep it so
    return block


def _upsert_scanned(body: str, profile: str, new_lines: list[str], check=None) -> str:
    """The same edit from a full scan, for files `section_windows` leaves to it."""
    doc = scan(body)
    section = check(doc, profile) if check else _single(doc, profile)
    lines = doc.lines
    if section is not None:
        block = _refilled(lines[section.header : section.content_end], section, new_lines, doc.newline)
        return "".join(lines[: section.header]) + block + "".join(lines[section.content_end :])
    return _appended(body, new_lines, doc.newline)


def remove_section(text: str, section: Section) -> str:
    """`text` as it was before roleswitch wrote `section`: an empty header it filled is
    left empty again, and the line ending added before a section it appended goes too."""
    bom = BOM if text.startswith(BOM) else ""
    lines = scan(text.removeprefix(BOM)).lines
    before = lines[: section.header]
    own = lines[section.header : section.content_end]
    after = lines[section.content_end :]
    if PLACEHOLDER in section.values:
        header = own[0]
        if not own[-1].endswith(_LINE_ENDINGS):
            header = header.rstrip("\r\n")  # it was the file's last line, without an ending
        return bom + "".join(before) + header + "".join(after)
    if not after and before:
        if before[-1] in ("\n", "\r\n", "\r"):
            before = before[:-1]
        else:
            before[-1] = before[-1].removesuffix("\n").removesuffix("\r")
    return bom + "".join(before) + "".join(after)


def _single(doc: IniDocument, profile: str) -> Section | None:
    found = doc.find(profile)
    return found[0] if found else None


def _stat_signature(path: Path) -> tuple[int, ...] | None:
    """What changes when a file is edited or replaced (None when it is not a regular file)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return (info.st_ino, info.st_dev, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


__all__ = [
    "LOCK_TIMEOUT_SECONDS",
    "NO_SESSION",
    "CredentialsFile",
    "atomic_write",
    "check_section_name",
    "check_value",
    "format_expiration",
    "parse_expiration",
    "refuse_bom",
    "remove_section",
    "section_lines",
    "upsert_section",
]
