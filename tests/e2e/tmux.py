"""Drive a program in a real terminal: tmux runs it, send-keys types, capture-pane reads."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest


def require_tmux() -> str:
    path = shutil.which("tmux")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed; .ci/run installs it")
        pytest.skip("tmux is not installed")
    return path


class Terminal:
    """One tmux server of its own (-L), one window of a fixed size."""

    def __init__(self, folder: Path, command: str, env: dict[str, str], size=(100, 30)) -> None:
        self.tmux = require_tmux()
        self.socket = f"roleswitch-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.rc_file = folder / "exit-code"
        script = folder / "run.sh"
        exports = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items())
        script.write_text(f"{exports}\n{command}\necho $? > {shlex.quote(str(self.rc_file))}\nsleep 60\n")
        self.screens: list[str] = []
        self._run(
            "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), f"bash {shlex.quote(str(script))}"
        )

    def _run(self, *args: str) -> str:
        out = subprocess.run(
            [self.tmux, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return out.stdout

    def screen(self) -> str:
        text = self._run("capture-pane", "-p")
        self.screens.append(text)
        return text

    def send(self, *keys: str, literal: bool = False) -> None:
        self._run("send-keys", *(["-l"] if literal else []), *keys)
        time.sleep(0.3)

    def type(self, text: str) -> None:
        self.send(text, literal=True)

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, self.screen())
            if match:
                return match
            time.sleep(0.2)
        raise AssertionError(f"{pattern!r} never appeared; screen was:\n{self.screens[-1]}")

    def wait_exit(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.rc_file.exists() and self.rc_file.read_text().strip():
                return int(self.rc_file.read_text())
            time.sleep(0.2)
        raise AssertionError(f"the program did not exit; screen was:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=10)
