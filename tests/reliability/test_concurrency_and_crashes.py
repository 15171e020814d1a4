"""Many writers at once, and writers killed at random moments, never lose a byte."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from botocore.configloader import raw_config_parse

from roleswitch.core.credentials_file import CredentialsFile, upsert_section
from tests.reliability.writer_proc import key_id, result

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = "# my keys\n[corp]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s\n\n[hand]\nx = 0\n"

WRITERS = 16
WRITES_EACH = 25
KILLS = 200


def spawn(path: Path, section: str, count: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.writer_proc", str(path), section, str(count), *extra],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def folder_of(tmp_path: Path) -> Path:
    folder = tmp_path / "aws"
    folder.mkdir()
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "credentials")


def test_16_writers_x_25_writes_plus_a_hand_editor_lose_nothing(tmp_path):
    """16 processes x 25 writes, each to its own section, plus 1 process editing [hand] 25 times."""
    tmp_path = folder_of(tmp_path)
    path = tmp_path / "credentials"
    path.write_text(ORIGINAL)
    procs = [spawn(path, f"w{i:02d}", WRITES_EACH) for i in range(WRITERS)]
    procs.append(spawn(path, "hand", WRITES_EACH, "--hand"))
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    text = path.read_text()
    assert text.startswith("# my keys\n[corp]\naws_access_key_id = AKIAEXAMPLE\n")
    parsed = raw_config_parse(str(path))  # botocore reads it
    for i in range(WRITERS):
        assert parsed[f"w{i:02d}"]["aws_access_key_id"] == key_id(f"w{i:02d}", WRITES_EACH - 1)
    assert parsed["hand"]["aws_access_key_id"] == f"HAND{WRITES_EACH - 1:06d}"
    assert parsed["corp"]["aws_secret_access_key"] == "s"
    assert leftovers(tmp_path) == []  # no temporary or lock file left behind


def test_200_sigkills_leave_old_or_new_file_and_no_stale_lock_or_temp(tmp_path):
    """200 writer processes killed with SIGKILL at random moments of a tight write loop."""
    tmp_path = folder_of(tmp_path)
    path = tmp_path / "credentials"
    path.write_text(ORIGINAL)
    # Each writer (a fork of one factory process, so it starts writing at once) rewrites
    # [crash] with n = 0, 1, 2, ...; every complete file is ORIGINAL plus one complete
    # section for some n.
    rng = random.Random(1234)
    seen_states = set()
    factory = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.writer_proc", str(path), "crash", "--fork"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert factory.stdin is not None and factory.stdout is not None
    try:
        for kill in range(KILLS):
            before = path.read_bytes()
            factory.stdin.write("go\n")
            factory.stdin.flush()
            pid = int(factory.stdout.readline())
            time.sleep(rng.uniform(0.0, 0.04))
            os.kill(pid, signal.SIGKILL)
            status = int(factory.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"kill {kill}: {status}"
            after = path.read_text()
            parsed = raw_config_parse(str(path))
            assert after.startswith(ORIGINAL), f"kill {kill}: bytes outside the section changed"
            key = parsed.get("crash", {}).get("aws_access_key_id")
            if key is not None:
                n = int(key.rpartition("N")[2])
                lines = _section_lines("crash", n)
                # Byte for byte: exactly what a complete write of some n produces.
                assert after == upsert_section(ORIGINAL, "crash", lines), f"kill {kill}: torn write"
                seen_states.add(n)
            else:
                assert path.read_bytes() == before
    finally:
        factory.stdin.close()
        factory.wait(timeout=10)
    # The next ordinary write neither hangs on a stale lock nor leaves a temp file.
    start = time.monotonic()
    CredentialsFile(path, config_path=tmp_path / "none").write("crash", result("crash", 999999))
    assert time.monotonic() - start < 5
    assert leftovers(tmp_path) == []
    assert len(seen_states) > 1  # the kills did land between many different writes


def _section_lines(section: str, n: int) -> list[str]:
    from roleswitch.core.credentials_file import section_lines

    return section_lines(section, result(section, n))


def test_a_killed_writers_temp_file_is_cleaned_by_the_next_write(tmp_path):
    tmp_path = folder_of(tmp_path)
    path = tmp_path / "credentials"
    path.write_text(ORIGINAL)
    (tmp_path / ".credentials.abc123.tmp").write_text("half a file")
    CredentialsFile(path, config_path=tmp_path / "none").write("x", result("x", 1))
    assert leftovers(tmp_path) == []
    assert path.read_text().startswith(ORIGINAL)


def test_a_lock_held_elsewhere_times_out_with_a_sentence(tmp_path, monkeypatch):
    from roleswitch.core import guarded_file
    from roleswitch.core.errors import CredentialsFileError

    tmp_path = folder_of(tmp_path)
    path = tmp_path / "credentials"
    path.write_text(ORIGINAL)
    monkeypatch.setattr(guarded_file, "LOCK_TIMEOUT_SECONDS", 0.5)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; l = FileLock(sys.argv[1]); l.acquire(); "
            "print('held', flush=True); time.sleep(30)",
            str(tmp_path / ".credentials.roleswitch-lock"),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"held"
        try:
            CredentialsFile(path, config_path=tmp_path / "none").write("x", result("x", 1))
        except CredentialsFileError as error:
            assert "held the lock" in str(error)
        else:
            raise AssertionError("the write should have waited for the lock and given up")
        assert path.read_text() == ORIGINAL
    finally:
        holder.kill()
        holder.wait()
