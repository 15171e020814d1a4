"""The tick's change detector and the clipboard command runner."""

from __future__ import annotations

import os
import stat

import pytest

from roleswitch.core.clipboard import ClipboardError, clipboard_command, copy_with
from roleswitch.core.file_watch import FileWatch


def test_a_watch_sees_each_change_once_even_an_atomic_replace_of_the_same_size(tmp_path):
    path = tmp_path / "credentials"
    path.write_text("[a]\nk = 1\n")
    watch = FileWatch(str(path))
    assert not watch.changed()
    before = os.stat(path)
    replacement = tmp_path / "tmp"
    replacement.write_text("[a]\nk = 2\n")  # same size
    os.utime(replacement, ns=(before.st_atime_ns, before.st_mtime_ns))  # same mtime
    os.replace(replacement, path)  # only the inode tells
    assert watch.changed() and not watch.changed()
    path.unlink()
    assert watch.changed() and not watch.changed()
    path.write_text("")
    assert watch.changed()


def make_tool(folder, name: str, body: str) -> None:
    tool = folder / name
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)


def test_the_clipboard_command_follows_the_display_and_what_is_installed(tmp_path, monkeypatch):
    for name in ("wl-copy", "xclip", "xsel"):
        make_tool(tmp_path, name, "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    assert clipboard_command() is None  # no display: the terminal (OSC 52) is the only way
    monkeypatch.setenv("DISPLAY", ":0")
    assert clipboard_command() == [str(tmp_path / "xclip"), "-selection", "clipboard"]
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    assert clipboard_command() == [str(tmp_path / "wl-copy")]


def test_a_failing_clipboard_command_is_one_sentence_and_gets_the_text_on_stdin_only(tmp_path):
    make_tool(tmp_path, "keep", f'/bin/cat > "{tmp_path}/got"; echo "$@" > "{tmp_path}/args"')
    copy_with([str(tmp_path / "keep")], "export SECRET=x\n")
    assert (tmp_path / "got").read_text() == "export SECRET=x\n"
    assert "SECRET" not in (tmp_path / "args").read_text()
    make_tool(tmp_path, "broken", "exit 3")
    with pytest.raises(ClipboardError, match=r"^broken failed \(exit status 3\)\.$"):
        copy_with([str(tmp_path / "broken")], "x")
    with pytest.raises(ClipboardError, match=r"^missing could not be run"):
        copy_with([str(tmp_path / "missing")], "x")
