"""Hostile files and local neighbours: devices, FIFOs, hard links, other owners, planted cache files.

Every attack runs as a real `python -m roleswitch` process against real files. Files of
"another user" are made as root and handed to uid 65534, so these tests need root.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

ROOT = Path(__file__).resolve().parents[2]
OTHER_UID = 65534
PLANTED_KEY = "ASIAPLANTEDBYANOTHERUSER"

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="makes devices and files of another user")


def cli(*argv: str, umask: int | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    """`python -m roleswitch ARGV`; a hang is a failure, reported as such."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "roleswitch", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=dict(os.environ),
            timeout=timeout,
            preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"roleswitch {' '.join(argv)} hung for {timeout}s")


def one_sentence(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    # The catalogue's own "warning:" lines may come first; the failure is one sentence.
    lines = [line for line in done.stderr.splitlines() if not line.startswith("roleswitch: warning:")]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], lines[0]


def setup_role(home, moto, *, keys_in_config: bool = False) -> None:
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    keys = f"aws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
    config = f"[profile corp]\nregion = us-east-1\n{keys if keys_in_config else ''}\n"
    config += f"[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n"
    home.write(config=config, credentials=None if keys_in_config else f"[corp]\n{keys}")


def cache_folder(home) -> Path:
    return home.root / ".cache" / "roleswitch"


def role_entry_name(target: str) -> str:
    """The name roleswitch gives the cached credentials of `target`: predictable by anyone."""
    from roleswitch.core.catalogue import load_catalogue
    from roleswitch.core.role_cache import RoleCredentialsCache

    catalogue = load_catalogue()
    key = RoleCredentialsCache.key(catalogue.find(target), catalogue.settings)
    return f"role-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def plant_matching_entry(folder: Path) -> Path:
    """Another user's role credentials, under the name and key roleswitch would look for."""
    from roleswitch.core.catalogue import load_catalogue
    from roleswitch.core.role_cache import RoleCredentialsCache

    catalogue = load_catalogue()
    expiration = (datetime.now(UTC) + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    planted = folder / f"{role_entry_name('admin')}.json"
    entry = {
        "key": RoleCredentialsCache.key(catalogue.find("admin"), catalogue.settings),
        "AccessKeyId": PLANTED_KEY,
        "SecretAccessKey": "planted-secret",
        "SessionToken": "planted-token",
        "Expiration": expiration,
    }
    planted.write_text(json.dumps(entry))
    os.chown(planted, OTHER_UID, OTHER_UID)
    return planted


def assert_dev_null_intact() -> None:
    info = os.lstat("/dev/null")
    assert stat.S_ISCHR(info.st_mode) and info.st_rdev == os.makedev(1, 3)


# --- 5. not a regular file ------------------------------------------------------------


@needs_root
def test_a_character_device_as_credentials_file_is_refused_and_stays_a_device(
    home, moto, sts_calls, tmp_path, monkeypatch
):
    setup_role(home, moto, keys_in_config=True)
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(device))
    done = cli("assume", "admin")
    one_sentence(done, str(device), "character device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)  # not replaced by a file holding the secrets
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == ["null"]
    assert sts_calls["AssumeRole"] == 0  # refused before any call
    assert_dev_null_intact()


def test_status_through_a_symlink_to_dev_null_says_so(home, moto, tmp_path, monkeypatch):
    """Only readers here: a writer must never be pointed at the real /dev/null, fix or no fix."""
    setup_role(home, moto, keys_in_config=True)
    link = tmp_path / "creds-link"
    link.symlink_to("/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(link))
    one_sentence(cli("status"), "character device")
    one_sentence(cli("status", "--short"), "character device")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert_dev_null_intact()


@needs_root
def test_assume_through_a_symlink_to_a_device_keeps_both(home, moto, sts_calls, tmp_path, monkeypatch):
    setup_role(home, moto, keys_in_config=True)
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    link = tmp_path / "creds-link"
    link.symlink_to(device)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(link))
    one_sentence(cli("assume", "admin"), str(link), "character device")
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(device).st_mode)
    assert sts_calls["AssumeRole"] == 0


@pytest.mark.parametrize("which", ["credentials", "config", "toml"])
def test_a_fifo_never_hangs_status_list_or_assume(home, moto, tmp_path, monkeypatch, which):
    setup_role(home, moto)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    variable = {
        "credentials": "AWS_SHARED_CREDENTIALS_FILE",
        "config": "AWS_CONFIG_FILE",
        "toml": "ROLESWITCH_CONFIG",
    }[which]
    monkeypatch.setenv(variable, str(fifo))
    for argv in (["status"], ["list"], ["assume", "admin"], ["assume", "nobody/Nothing"]):
        done = cli(*argv, timeout=20)
        assert "Traceback" not in done.stderr
        if which == "credentials" and argv in (["status"], ["assume", "admin"]):
            one_sentence(done, "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_hard_linked_credentials_file_is_not_split_and_sts_is_not_called(home, moto, sts_calls, tmp_path):
    setup_role(home, moto)
    other_name = tmp_path / "credentials-backup"
    os.link(home.credentials, other_name)
    before = home.credentials.read_bytes()
    done = cli("assume", "admin")
    one_sentence(done, "hard link")
    assert os.stat(home.credentials).st_ino == os.stat(other_name).st_ino  # still one file
    assert home.credentials.read_bytes() == before
    assert sts_calls["AssumeRole"] == 0


# --- 6. ownership ---------------------------------------------------------------------


@needs_root
def test_a_write_as_root_keeps_the_files_owner_and_mode(home, moto):
    setup_role(home, moto)
    os.chown(home.credentials, OTHER_UID, OTHER_UID)
    os.chmod(home.credentials, 0o640)
    done = cli("assume", "admin")
    assert done.returncode == 0, done.stderr
    info = os.stat(home.credentials)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OTHER_UID, OTHER_UID, 0o640)
    parsed = raw_config_parse(str(home.credentials))
    assert parsed["default"]["manager"] == "roleswitch" and "aws_access_key_id" in parsed["corp"]


# --- 8. the cache folder as found ---------------------------------------------------------


@needs_root
def test_a_cache_folder_of_another_user_is_not_trusted(home, moto, sts_calls):
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True, mode=0o777)
    os.chmod(folder, 0o777)
    os.chown(folder, OTHER_UID, OTHER_UID)
    planted = plant_matching_entry(folder)
    planted_bytes = planted.read_bytes()
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["AccessKeyId"] != PLANTED_KEY  # STS's answer, not the planted one
    assert sts_calls["AssumeRole"] == 1
    assert sorted(p.name for p in folder.iterdir()) == [planted.name]  # nothing of ours left there
    assert planted.read_bytes() == planted_bytes and os.stat(folder).st_uid == OTHER_UID
    one_sentence(cli("logout"), str(folder), "another user")


@needs_root
def test_our_own_cache_folder_left_open_is_closed_and_planted_files_are_dropped(
    home, moto, sts_calls, tmp_path
):
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True)
    os.chmod(folder, 0o777)  # ours, but anyone could have planted files in it
    planted = plant_matching_entry(folder)
    victim = tmp_path / "victim-file"
    lock_link = folder / f"{role_entry_name('admin')}.lock"
    lock_link.symlink_to(victim)
    os.lchown(lock_link, OTHER_UID, OTHER_UID)
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["AccessKeyId"] != PLANTED_KEY
    assert sts_calls["AssumeRole"] == 1
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert not victim.exists()  # the planted lock link was never followed
    assert not os.path.lexists(lock_link)
    assert os.stat(planted).st_uid == os.geteuid()  # the planted entry is gone; this one is ours
    assert PLANTED_KEY not in planted.read_text()
    again = cli("credential-process", "admin")  # now from our own cache
    assert json.loads(again.stdout)["AccessKeyId"] == json.loads(done.stdout)["AccessKeyId"]
    assert sts_calls["AssumeRole"] == 1


def test_a_planted_lock_symlink_is_never_followed(home, moto, tmp_path):
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True, mode=0o700)
    victim = tmp_path / "elsewhere" / "victim-file"
    victim.parent.mkdir()
    (folder / f"{role_entry_name('admin')}.lock").symlink_to(victim)
    done = cli("credential-process", "admin")
    assert "Traceback" not in done.stderr
    assert not victim.exists()


def test_a_fifo_as_the_catalogue_cache_never_hangs(home, moto):
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True, mode=0o700)
    os.mkfifo(folder / "catalogue.json")
    done = cli("list", timeout=20)
    assert done.returncode == 0, done.stderr
    assert "admin" in done.stdout


def test_a_fifo_as_a_cache_entry_never_hangs(home, moto):
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True, mode=0o700)
    os.mkfifo(folder / f"{role_entry_name('admin')}.json")
    done = cli("credential-process", "admin", timeout=20)
    assert done.returncode == 0, done.stderr


def test_cache_parents_are_private_even_under_umask_000(home, moto):
    setup_role(home, moto)
    assert not (home.root / ".cache").exists()
    done = cli("credential-process", "admin", umask=0)
    assert done.returncode == 0, done.stderr
    for folder in (home.root / ".cache", cache_folder(home)):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
    for entry in cache_folder(home).iterdir():
        assert stat.S_IMODE(os.lstat(entry).st_mode) == 0o600, entry


# --- 16. a SIGKILLed lock holder ----------------------------------------------------------

HOLD_LOCK = """
import sys, time
from roleswitch.core.secret_cache import SecretCache
with SecretCache("role").locked(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def kill_while_holding(key: str) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, key],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)


def test_a_sigkilled_lock_holder_leaves_no_lock_file_after_the_next_call(home, moto):
    setup_role(home, moto)
    kill_while_holding("some other entry")
    assert [p.suffix for p in cache_folder(home).iterdir()] == [".lock"]  # the dead holder's
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    assert not list(cache_folder(home).glob("*.lock"))
    kill_while_holding("yet another entry")
    assert cli("logout").returncode == 0
    # Only the catalogue's caches are left (the entry and the TOML's part beside it).
    assert sorted(p.name for p in cache_folder(home).iterdir()) == ["catalogue-toml.json", "catalogue.json"]


# --- SecretCache.put and delete take the entry's lock ---------------------------------


def test_put_and_delete_wait_for_the_entry_lock_held_by_another_process(home, monkeypatch):
    from roleswitch.core import secret_cache
    from roleswitch.core.errors import CredentialsFileError
    from roleswitch.core.secret_cache import SecretCache

    monkeypatch.setattr(secret_cache, "LOCK_TIMEOUT_SECONDS", 0.3)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, "k"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        cache = SecretCache("role")
        with pytest.raises(CredentialsFileError, match="Another roleswitch"):
            cache.put("k", {"v": 1})
        assert cache.get("k") is None
        with pytest.raises(CredentialsFileError, match="Another roleswitch"):
            cache.delete("k")
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_put_under_the_held_lock_does_not_wait_for_itself(home, monkeypatch):
    from roleswitch.core import secret_cache
    from roleswitch.core.secret_cache import SecretCache

    monkeypatch.setattr(secret_cache, "LOCK_TIMEOUT_SECONDS", 0.3)
    cache = SecretCache("role")
    with cache.locked("k"):
        cache.put("k", {"v": 1})
        assert cache.get("k")["v"] == 1
        assert cache.delete("k")
    assert not list(cache.folder.iterdir())


@needs_root
def test_as_root_in_another_users_home_new_files_are_theirs_and_no_cache_is_made(home, moto, sts_calls):
    """`sudo -E roleswitch ...`: nothing may be left behind that the user cannot open or remove."""
    setup_role(home, moto, keys_in_config=True)
    for path in (home.root, home.config.parent, home.config):
        os.chown(path, OTHER_UID, OTHER_UID)
    done = cli("assume", "admin")
    assert done.returncode == 0, done.stderr
    info = os.stat(home.credentials)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OTHER_UID, OTHER_UID, 0o600)
    assert cli("credential-process", "admin").returncode == 0
    made = [home.root / ".cache", *(home.root / ".cache").rglob("*")]
    assert all(os.lstat(p).st_uid == OTHER_UID for p in made if os.path.lexists(p))  # none of root's
    assert sts_calls["AssumeRole"] == 2


def test_add_profile_refuses_a_hard_linked_aws_config(home, moto, tmp_path):
    setup_role(home, moto)
    os.link(home.config, tmp_path / "config-elsewhere")
    before = home.config.read_bytes()
    one_sentence(cli("add-profile", "admin"), str(home.config), "hard link")
    assert home.config.read_bytes() == before
    assert os.stat(home.config).st_ino == os.stat(tmp_path / "config-elsewhere").st_ino
    assert raw_config_parse(str(home.config)).keys() == {"profile corp", "profile admin"}


@needs_root
def test_a_planted_fetch_lock_in_another_users_cache_folder_is_never_touched(home, moto, sts_calls):
    """The fetch lock lives in the cache folder too: in a folder we do not trust, no lock is
    taken at all, so a link planted there neither blocks credential-process nor is followed."""
    setup_role(home, moto)
    folder = cache_folder(home)
    folder.mkdir(parents=True, mode=0o777)
    os.chmod(folder, 0o777)
    os.chown(folder, OTHER_UID, OTHER_UID)
    planted = folder / f"{role_entry_name('admin')}.fetch.lock"
    planted.symlink_to(folder / "elsewhere")
    os.lchown(planted, OTHER_UID, OTHER_UID)
    done = cli("credential-process", "admin")
    assert done.returncode == 0, done.stderr
    assert sts_calls["AssumeRole"] == 1
    assert os.path.islink(planted) and not (folder / "elsewhere").exists()
