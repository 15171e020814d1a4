"""Quitting is immediate, even while STS has not answered; Ctrl-C never prints a traceback."""

from __future__ import annotations

import socket
import sys
import threading
import time

import pytest

from tests.e2e.test_terminal import base_env
from tests.e2e.tmux import Terminal

pytestmark = pytest.mark.e2e


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: an STS call waits its full timeout."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.accepted = threading.Event()
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_quit_during_a_silent_sts_call_exits_at_once_without_a_traceback(home, tmp_path):
    home.write(
        config="[profile corp]\nregion = eu-west-1\n\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n",
        credentials="[corp]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = s\n",
    )
    server = SilentServer()
    env = {**base_env(home), "AWS_ENDPOINT_URL_STS": server.url}
    term = Terminal(tmp_path, f"{sys.executable} -m roleswitch", env)
    try:
        term.wait_for("Type to filter roles")
        term.type("admin")
        term.send("Enter")
        assert server.accepted.wait(20), "the app never called STS"
        term.send("C-c")  # Textual's key, not a signal: the app keeps running
        term.wait_for("admin")
        started = time.monotonic()
        term.send("C-q")
        assert term.wait_exit(timeout=15) == 0
        assert time.monotonic() - started < 3, "quitting waited for the STS call"
        screen = term.screen()
        assert "Traceback" not in screen and "Error" not in screen
    finally:
        term.close()
        server.close()


def test_sigint_to_the_running_app_closes_it_with_one_line(home, tmp_path):
    """`kill -INT` (or Ctrl-C before the terminal is in raw mode) closes the app. asyncio's
    runner once turned it into a cancelled task that Textual swallowed: the app ran on."""
    import os
    import signal
    import subprocess

    home.write(config="[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n")
    pid_file = tmp_path / "pid"
    term = Terminal(tmp_path, f"echo $$ > {pid_file}; {sys.executable} -m roleswitch", base_env(home))
    try:
        term.wait_for("Type to filter roles")
        shell = pid_file.read_text().strip()
        pid = int(subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True).stdout.split()[0])
        assert (
            "roleswitch"
            in subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True).stdout
        )
        os.kill(pid, signal.SIGINT)
        assert term.wait_exit(timeout=10) == 130
        screen = term.screen()
        assert "roleswitch: interrupted; the app closed." in screen and "Traceback" not in screen
    finally:
        term.close()
