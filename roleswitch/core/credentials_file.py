"""Read and edit the AWS shared credentials file without losing a byte of it.

roleswitch owns exactly one section, the active profile, and marks it with
`manager = roleswitch`. Every other byte (comments, blank lines, other
sections, CRLF endings, a missing final newline, a BOM) is kept as it was.

A write is: take the lock, read, splice the section in, write a temporary file
in the same folder, fsync, `os.replace` over the real file (through symlinks,
so a link stays a link), fsync the folder, drop the lock. Any refusal or error
leaves the file byte-for-byte untouched.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from roleswitch.core import paths
from roleswitch.core.errors import CredentialsFileError, WriteRefused
from roleswitch.core.ini import IniDocument, Section, scan
from roleswitch.core.model import ActiveSession, AssumeResult, Credentials

MANAGER = "roleswitch"
CHOOSE_ANOTHER = "choose another active profile (--profile NAME, or active_profile in roleswitch's config)."
LOCK_TIMEOUT_SECONDS = 10.0
BOM = "\ufeff"
# Config-profile keys that make botocore ignore a same-named credentials section.
_SHADOWING_KEYS = ("role_arn", "credential_process", "web_identity_token_file")


def format_expiration(moment: datetime) -> str:
    """RFC 3339 in UTC, `2026-11-22T13:56:56Z`, as Starship and the SDKs read it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_expiration(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CredentialsFile:
    """The credentials file at `path` (default from the environment)."""

    def __init__(self, path: Path | None = None, config_path: Path | None = None) -> None:
        self.path = Path(path) if path else paths.aws_credentials_path()
        self.config_path = Path(config_path) if config_path else paths.aws_config_path()

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
        """The file's text, None if it does not exist; errors become one sentence."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            if self.path.is_symlink():
                raise CredentialsFileError(
                    f"{self.path} is a symlink to {os.readlink(self.path)}, which does not exist; "
                    "create that file or remove the link."
                ) from None
            return None
        except IsADirectoryError:
            raise CredentialsFileError(
                f"{self.path} is a directory, not a credentials file; move it aside or set "
                "AWS_SHARED_CREDENTIALS_FILE."
            ) from None
        except PermissionError:
            raise CredentialsFileError(
                f"{self.path} cannot be read (permission denied); check its owner and mode."
            ) from None
        except OSError as error:
            raise CredentialsFileError(f"{self.path} cannot be read: {error.strerror}.") from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise CredentialsFileError(
                f"{self.path} is not valid UTF-8 (byte {error.start}); roleswitch will not edit it."
            ) from None

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

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise read-modify-write across processes; leaves no lock file behind."""
        from filelock import FileLock, Timeout

        if self.path.is_symlink() and not self.path.exists():
            self._read_text()  # raises the dangling-symlink sentence; nothing is created
        real = Path(os.path.realpath(self.path))
        self._ensure_folder(real.parent)
        lock = FileLock(str(real.parent / f".{real.name}.roleswitch-lock"), timeout=LOCK_TIMEOUT_SECONDS)
        try:
            lock.acquire()
        except Timeout:
            raise CredentialsFileError(
                f"Another program has held the lock on {self.path} for {LOCK_TIMEOUT_SECONDS:.0f}s; "
                "try again."
            ) from None
        except OSError as error:
            raise CredentialsFileError(
                f"Cannot lock {self.path} ({error.strerror}); check the folder's permissions."
            ) from None
        try:
            _remove_stale_temp_files(real)
            yield
        finally:
            # Unlink while still holding it: a waiter that opened the old inode sees it
            # unlinked after acquiring and starts over, so the lock stays exclusive.
            with contextlib.suppress(OSError):
                os.unlink(lock.lock_file)
            lock.release()

    def permission_warning(self) -> str | None:
        """A sentence if the existing file is readable or writable by group or others."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISREG(info.st_mode) and mode & 0o077:
            return f"{self.path} is open to other users (mode {mode:03o}); run: chmod 600 {self.path}"
        return None

    def _ensure_folder(self, folder: Path) -> None:
        if folder.is_dir():
            return
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as error:
            raise CredentialsFileError(f"Cannot create the folder {folder} ({error.strerror}).") from None

    def _replace(self, text: str, *, created: bool) -> None:
        real = Path(os.path.realpath(self.path))
        mode = 0o600
        if not created:
            with contextlib.suppress(OSError):
                mode = stat.S_IMODE(real.stat().st_mode)
        try:
            atomic_write(real, text.encode("utf-8"), mode)
        except OSError as error:
            reason = "the disk is full" if error.errno == errno.ENOSPC else error.strerror
            raise CredentialsFileError(
                f"Cannot write {self.path} ({reason}); it was left as it was."
            ) from None


def _temp_prefix(path: Path) -> str:
    return f".{path.name}."


def _remove_stale_temp_files(path: Path) -> None:
    """Temporary files of a writer that was killed mid-write. Called with the lock held,
    when no other roleswitch writer can have one open."""
    for stale in path.parent.glob(f"{_temp_prefix(path)}*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` so a reader sees the old file or the new one, never half."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_temp_prefix(path), suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


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
