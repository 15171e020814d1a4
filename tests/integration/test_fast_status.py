"""`status` with `active_profile` in the TOML: parsed once, then answered from a memo
against the file's identity, with the same output and warnings, and never stale.

The fast path is proven taken by making the settings loader unusable."""

from __future__ import annotations

import os

import pytest

from roleswitch.cli import main
from roleswitch.core import catalogue, file_identity, status


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    monkeypatch.setattr(file_identity, "SETTLED_NS", 0)


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def no_full_read(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the TOML was parsed")

    monkeypatch.setattr(catalogue, "load_settings", refuse)


def memo(home):
    return home.root / ".cache" / "roleswitch" / status.SETTINGS_MEMO


def write_toml(home, text):
    home.write(config="", credentials="", toml=text)


def test_the_second_status_answers_from_the_memo_with_the_same_bytes(home, capsys, monkeypatch):
    write_toml(home, '[settings]\nactive_profile = "work"\n')
    first = run(capsys, "status")
    assert first == (4, "No active session in [work].\n", "")
    assert memo(home).exists() and os.stat(memo(home)).st_mode & 0o777 == 0o600
    no_full_read(monkeypatch)
    assert run(capsys, "status") == first
    assert run(capsys, "status", "--json")[1] == '{"profile": "work", "state": "none"}\n'


def test_warnings_are_repeated_from_the_memo(home, capsys, monkeypatch):
    write_toml(home, '[settings]\nactive_profile = "work"\nduration = "forever"\n')
    first = run(capsys, "status")
    assert "roleswitch: warning: " in first[2]
    no_full_read(monkeypatch)
    assert run(capsys, "status") == first


def test_an_edited_toml_is_read_again(home, capsys):
    write_toml(home, '[settings]\nactive_profile = "work"\n')
    run(capsys, "status")
    write_toml(home, '[settings]\nactive_profile = "play"\n')  # the same size
    assert run(capsys, "status")[1] == "No active session in [play].\n"
    write_toml(home, "[settings]\n")
    assert run(capsys, "status")[1] == "No active session in [default].\n"


def test_a_memo_of_another_user_or_in_an_open_folder_is_not_read(home, capsys, monkeypatch):
    write_toml(home, '[settings]\nactive_profile = "work"\n')
    run(capsys, "status")
    assert status.active_profile() == ("work", [])
    inputs = status._settings_inputs(str(home.toml))
    assert status._remembered(inputs) == ("work", [])
    os.chown(memo(home), 4321, 4321)
    assert status._remembered(inputs) is None
    os.chown(memo(home), os.geteuid(), os.getegid())
    os.chmod(memo(home).parent, 0o777)
    assert status._remembered(inputs) is None


def test_a_memo_cut_short_is_not_read(home, capsys):
    write_toml(home, '[settings]\nactive_profile = "work"\n')
    run(capsys, "status")
    inputs = status._settings_inputs(str(home.toml))
    memo(home).write_bytes(memo(home).read_bytes().rstrip(b"\n"))
    assert status._remembered(inputs) is None


def test_no_memo_while_the_toml_is_fresh_enough_to_change_within_its_timestamp_tick(
    home, capsys, monkeypatch
):
    monkeypatch.setattr(file_identity, "SETTLED_NS", 60 * 10**9)
    write_toml(home, '[settings]\nactive_profile = "work"\n')
    assert run(capsys, "status")[1] == "No active session in [work].\n"
    assert not memo(home).exists()
