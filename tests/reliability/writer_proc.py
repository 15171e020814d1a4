"""A child process for the concurrency and crash tests: writes one section, over and over.

    python -m tests.reliability.writer_proc PATH SECTION COUNT [--hand]
    python -m tests.reliability.writer_proc PATH SECTION --fork

COUNT < 0 means forever (until killed). With --hand it edits an unrelated,
non-roleswitch section as raw text under the same lock, as a cooperating tool would.

With --fork it is a writer factory for the kill test: for each line read on stdin it
forks a child that rewrites SECTION forever (n = 0, 1, 2, ...) and prints the child's
pid; when the child has died (the test kills it) it prints its wait status. A fork
starts writing at once, where a new interpreter spends ~0.15 s importing first, so
every kill lands in the write loop and 200 of them take seconds, not half a minute.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from roleswitch.core.credentials_file import CredentialsFile, upsert_section
from roleswitch.core.model import AssumeResult, Credentials
from tests.factories import make_target

EXPIRY = datetime(2026, 11, 22, 13, 0, 0, tzinfo=UTC)


def key_id(section: str, n: int) -> str:
    """A key id of the alphabet STS uses (capitals and digits), unique per section and write."""
    letters = "".join(c for c in section.upper() if c.isascii() and c.isalnum())
    return f"ASIA{letters:X<6}N{n:06d}"


def result(section: str, n: int) -> AssumeResult:
    target = make_target(name=f"acct/{section}", role_arn="arn:aws:iam::111111111111:role/R", role_name="R")
    return AssumeResult(
        target=target,
        credentials=Credentials(key_id(section, n), f"secret-{section}-{n}", f"token-{n}", EXPIRY),
        assumed_arn="arn:aws:sts::111111111111:assumed-role/R/test",
        region="eu-west-1",
    )


def write_forever(writer: CredentialsFile, section: str) -> None:
    n = 0
    while True:
        writer.write(section, result(section, n))
        n += 1


def fork_writers(path: Path, section: str) -> None:
    """One forked writer per line on stdin; its pid, then its wait status, on stdout."""
    writer = CredentialsFile(path, config_path=path.parent / "no-config")
    for _line in sys.stdin:
        pid = os.fork()
        if pid == 0:  # the child: write until killed, never return into this loop
            try:
                write_forever(writer, section)
            finally:
                os._exit(1)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(status, flush=True)


def main() -> None:
    if "--fork" in sys.argv:
        fork_writers(Path(sys.argv[1]), sys.argv[2])
        return
    path, section, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    hand = "--hand" in sys.argv
    writer = CredentialsFile(path, config_path=path.parent / "no-config")
    n = 0
    while count < 0 or n < count:
        if hand:
            with writer._locked():
                text = path.read_text() if path.exists() else ""
                lines = [f"[{section}]", f"aws_access_key_id = HAND{n:06d}", "aws_secret_access_key = hand"]
                path.write_text(upsert_section(text, section, lines))
        else:
            writer.write(section, result(section, n))
        n += 1


if __name__ == "__main__":
    main()
