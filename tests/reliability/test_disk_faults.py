"""The disk says no: every case gives one sentence and leaves every file as it was."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest

from roleswitch.cli import main
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import CredentialsFileError
from tests.reliability.writer_proc import result

ORIGINAL = "# keep\n[corp]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n"


def snapshot(folder):
    return {p.name: (p.read_bytes() if p.is_file() else "dir") for p in folder.iterdir()}


def write(home):
    CredentialsFile().write("default", result("default", 1))


def test_read_only_folder(home, monkeypatch):
    home.credentials.write_text(ORIGINAL)
    before = snapshot(home.credentials.parent)

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    # Root ignores a 0500 folder, so the refusal the kernel would give is injected here.
    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(CredentialsFileError, match="Permission denied"):
        write(home)
    assert snapshot(home.credentials.parent) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_read_only_folder_for_real(home):
    home.credentials.write_text(ORIGINAL)
    os.chmod(home.credentials.parent, 0o500)
    try:
        with pytest.raises(CredentialsFileError):
            write(home)
        assert home.credentials.read_text() == ORIGINAL
    finally:
        os.chmod(home.credentials.parent, 0o700)


def test_disk_full_while_writing(home, monkeypatch):
    home.credentials.write_text(ORIGINAL)
    before = snapshot(home.credentials.parent)
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FullDisk(real_fdopen(fd, mode)))
    with pytest.raises(CredentialsFileError, match="the disk is full"):
        write(home)
    assert snapshot(home.credentials.parent) == before  # no temp file either


def test_credentials_path_is_a_directory(home, capsys):
    home.credentials.mkdir()
    with pytest.raises(CredentialsFileError, match="is a directory"):
        write(home)
    assert CredentialsFile().permission_warning() is None  # one message, not two
    assert main(["status"]) == 1
    assert "is a directory" in capsys.readouterr().err
    assert home.credentials.is_dir() and list(home.credentials.iterdir()) == []


def test_unreadable_file(home, monkeypatch):
    home.credentials.write_text(ORIGINAL)
    from roleswitch.core import guarded_file

    real = guarded_file.read_regular_file

    def deny(path, **kwargs):
        if str(path) == str(home.credentials):  # root reads a 0000 file anyway: injected
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(path, **kwargs)

    monkeypatch.setattr(guarded_file, "read_regular_file", deny)
    with pytest.raises(CredentialsFileError, match="cannot be read"):
        write(home)
    monkeypatch.undo()
    assert home.credentials.read_text() == ORIGINAL


def test_dangling_symlink_is_left_dangling(home, tmp_path):
    target = tmp_path / "elsewhere" / "creds"
    home.credentials.symlink_to(target)
    with pytest.raises(CredentialsFileError, match="which does not exist"):
        write(home)
    assert home.credentials.is_symlink() and not target.exists()
    assert not target.parent.exists()


def test_symlink_chain_updates_the_final_file_and_keeps_both_links(home, tmp_path):
    final = tmp_path / "vault" / "credentials"
    final.parent.mkdir()
    final.write_text(ORIGINAL)
    os.chmod(final, 0o600)
    middle = tmp_path / "middle-link"
    middle.symlink_to(final)
    home.credentials.symlink_to(middle)
    write(home)
    assert home.credentials.is_symlink() and middle.is_symlink()
    assert final.read_text().startswith(ORIGINAL) and "[default]" in final.read_text()
    assert sorted(p.name for p in final.parent.iterdir()) == ["credentials"]


def test_existing_open_file_is_never_made_more_or_less_readable_and_warns(home, capsys):
    home.credentials.write_text(ORIGINAL)
    os.chmod(home.credentials, 0o644)
    writer = CredentialsFile()
    writer.write("default", result("default", 1))
    assert os.stat(home.credentials).st_mode & 0o777 == 0o644
    assert "chmod 600" in writer.permission_warning()
    os.chmod(home.credentials, 0o600)
    assert writer.permission_warning() is None
