"""Pins and frecency in the state folder: order, caps, files that cannot be trusted, two writers."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from roleswitch.core import paths, usage
from roleswitch.core.usage import MAX_NAMES, Usage, UsageError, UsageStore

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def test_state_location_follows_roleswitch_state_dir_then_xdg_then_home(home, monkeypatch):
    assert paths.state_location() == str(home.state)  # the tests' own, under HOME
    monkeypatch.delenv("ROLESWITCH_STATE_DIR")
    assert paths.state_location() == str(home.root / ".local" / "state" / "roleswitch")
    monkeypatch.setenv("XDG_STATE_HOME", "/x/state")
    assert paths.state_location() == "/x/state/roleswitch"
    monkeypatch.setenv("ROLESWITCH_STATE_DIR", "~/mine")
    assert paths.state_location() == str(home.root / "mine")
    assert UsageStore().path == home.root / "mine" / "usage.json"


def test_loading_writes_nothing_and_makes_no_folder(home):
    assert UsageStore().load() == Usage()
    assert not home.state.exists()


def test_recent_use_beats_old_heavy_use_and_frequent_beats_single():
    store = UsageStore()
    for day in range(60, 70):
        store.record_use("old-favourite", ago(days=day))  # ten uses, two months ago
    store.record_use("yesterday-once", ago(hours=20))
    for hour in range(1, 4):
        store.record_use("this-week", ago(days=2, hours=hour))  # three uses two days ago
    store.record_use("just-now", ago(minutes=5))
    loaded = store.load(now=NOW)
    # 10 x 20 = 200 beats 3 x 60 = 180 beats 100 (this hour) beats 80 (today).
    assert loaded.ranked == ("old-favourite", "this-week", "just-now", "yesterday-once")
    assert loaded.recent(2) == ("old-favourite", "this-week")
    # A month on, the old favourite's uses weigh little: three uses that day come first.
    later = NOW + timedelta(days=30)
    for hour in range(3):
        store.record_use("new-habit", later - timedelta(hours=hour + 2))
    assert store.load(now=later).ranked[:2] == ("new-habit", "old-favourite")


def test_ties_go_to_the_latest_use():
    store = UsageStore()
    store.record_use("b", ago(minutes=30))
    store.record_use("a", ago(minutes=40))
    store.record_use("c", ago(minutes=10))
    assert store.load(now=NOW).recent() == ("c", "b", "a")


def test_pins_toggle_keep_their_order_and_leave_recent():
    store = UsageStore()
    store.record_use("prod/Admin", ago(minutes=1))
    store.record_use("dev/Admin", ago(minutes=2))
    assert store.toggle_pin("prod/Admin") is True
    assert store.toggle_pin("stage/Read") is True
    loaded = store.load(now=NOW)
    assert loaded.pinned == ("prod/Admin", "stage/Read")
    assert loaded.is_pinned("stage/Read") and not loaded.is_pinned("dev/Admin")
    assert loaded.recent() == ("dev/Admin",)  # pinned ones are not repeated as recent
    assert loaded.ranked == ("prod/Admin", "dev/Admin")  # but keep their frecency for queries
    assert store.toggle_pin("prod/Admin") is False
    assert store.load(now=NOW).pinned == ("stage/Read",)


def test_the_file_is_private_small_and_keeps_the_names_used_last(home):
    store = UsageStore()
    store.toggle_pin("pinned-long-ago")
    for n in range(MAX_NAMES + 20):
        store.record_use(f"role-{n:03d}", ago(hours=MAX_NAMES + 20 - n))
    for _ in range(15):
        store.record_use("role-200", NOW)
    path = home.state / "usage.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.state.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    assert len(document["used"]) == MAX_NAMES
    assert "role-000" not in document["used"] and "role-019" not in document["used"]
    assert "role-020" in document["used"]
    assert len(document["used"]["role-200"]) == usage.USES_KEPT
    assert document["pinned"] == ["pinned-long-ago"]  # pins are never dropped for space
    assert path.stat().st_size < 40_000
    assert not [p.name for p in home.state.iterdir() if p.name != "usage.json"]  # no lock, no temp left


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"{not json", "damaged (not JSON)"),
        (b'{"format": 1, "pinned": [1], "used": {}}', "not a roleswitch usage file"),
        (b'{"format": 1, "pinned": [], "used": {"a": ["x"]}}', "not a roleswitch usage file"),
        (b"[]", "not a roleswitch usage file"),
    ],
)
def test_a_damaged_file_is_ignored_in_one_sentence_then_replaced_whole_by_a_pin(home, content, said):
    home.state.mkdir(parents=True, mode=0o700)
    path = home.state / "usage.json"
    path.write_bytes(content)
    path.chmod(0o600)
    loaded = UsageStore().load()
    assert loaded.pinned == () and loaded.ranked == ()
    assert said in loaded.problem and loaded.problem.endswith("replaces it.")
    assert "\n" not in loaded.problem
    assert path.read_bytes() == content  # reading never rewrites it
    assert UsageStore().toggle_pin("prod/Admin") is True
    loaded = UsageStore().load()
    assert loaded.problem is None and loaded.pinned == ("prod/Admin",)


def test_a_newer_roleswitchs_file_is_left_alone(home):
    home.state.mkdir(parents=True, mode=0o700)
    path = home.state / "usage.json"
    newer = b'{"format": 2, "pinned": {"new": "shape"}}'
    path.write_bytes(newer)
    path.chmod(0o600)
    store = UsageStore()
    assert "newer roleswitch" in store.load().problem
    with pytest.raises(UsageError, match="newer roleswitch"):
        store.toggle_pin("prod/Admin")
    store.record_use("prod/Admin", NOW)  # quietly not recorded: an assume must not fail for it
    assert path.read_bytes() == newer


def test_a_symlink_is_not_followed_and_a_pin_replaces_the_link_not_its_target(home, tmp_path):
    home.state.mkdir(parents=True, mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"format": 1, "pinned": ["planted"], "used": {}}')
    (home.state / "usage.json").symlink_to(elsewhere)
    loaded = UsageStore().load()
    assert loaded.pinned == () and "a symlink, not a regular file" in loaded.problem
    UsageStore().toggle_pin("mine")
    assert not (home.state / "usage.json").is_symlink()
    assert UsageStore().load().pinned == ("mine",)
    assert json.loads(elsewhere.read_text())["pinned"] == ["planted"]


def test_a_file_of_another_user_or_open_to_others_is_ignored(home, monkeypatch):
    home.state.mkdir(parents=True, mode=0o700)
    path = home.state / "usage.json"
    path.write_text('{"format": 1, "pinned": ["planted"], "used": {}}')
    path.chmod(0o600)
    assert UsageStore().load().pinned == ("planted",)
    with monkeypatch.context() as patch:
        patch.setattr(usage, "effective_uid", lambda: os.getuid() + 4242)  # the file is not ours
        loaded = UsageStore().load()
    assert loaded.pinned == () and "belongs to another user" in loaded.problem
    path.chmod(0o622)
    loaded = UsageStore().load()
    assert loaded.pinned == () and "can be written by other users" in loaded.problem


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_state_folder_of_another_user_is_not_trusted(home):
    home.state.mkdir(parents=True, mode=0o700)
    (home.state / "usage.json").write_text('{"format": 1, "pinned": ["planted"], "used": {}}')
    os.chown(home.state, 4242, 4242)
    loaded = UsageStore().load()
    assert loaded.pinned == ()
    assert "state folder" in loaded.problem and "ROLESWITCH_STATE_DIR" in loaded.problem
    with pytest.raises(UsageError, match="belongs to another user"):
        UsageStore().toggle_pin("prod/Admin")


def test_a_failed_write_leaves_the_file_as_it_was(home, monkeypatch):
    store = UsageStore()
    store.toggle_pin("kept")
    before = (home.state / "usage.json").read_bytes()

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(usage, "atomic_write", full_disk)
    with pytest.raises(UsageError, match=r"the disk is full\); it was left as it was\."):
        store.toggle_pin("lost")
    store.record_use("kept", NOW)  # no error from a use
    assert (home.state / "usage.json").read_bytes() == before


WRITER = """
import sys
from datetime import UTC, datetime
from roleswitch.core.usage import UsageStore
store = UsageStore()
tag = sys.argv[1]
for n in range(25):
    store.toggle_pin(f"{tag}-{n}")
    store.record_use(f"{tag}-{n}", datetime.now(UTC))
"""


def test_two_processes_pinning_at_once_lose_no_pin(home):
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, tag], env=dict(os.environ), cwd=Path.cwd())
        for tag in ("left", "right")
    ]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    loaded = UsageStore().load()
    assert loaded.problem is None
    assert sorted(loaded.pinned) == sorted(f"{tag}-{n}" for tag in ("left", "right") for n in range(25))
    for tag in ("left", "right"):  # each writer's pins stay in its own order
        assert [name for name in loaded.pinned if name.startswith(tag)] == [f"{tag}-{n}" for n in range(25)]
    assert len(loaded.ranked) == 50
