"""`roleswitch env` output, run through the real shells: a hostile value stays a value.

The values come from an STS answer and a config file, so they are not trusted:
each shell's own rules must keep them inside their quotes, and a value no
quoting can carry safely (a newline, a control character) is refused.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime

import pytest

from roleswitch.core.errors import ValidationError
from roleswitch.core.exports import export_lines
from roleswitch.core.model import Credentials

HOSTILE = [
    "a'; echo PWNED; '",
    "$(touch PWNED)",
    "`touch PWNED`",
    "\\",
    "x\\'; touch PWNED; '",
    "\\'$(touch PWNED)'\\",
    'a"b$HOME;touch PWNED',
    "it\u2019s\u2018quoted\u2019\u201a\u201b",  # PowerShell quotes too
    "{a,b} *  ~ %% $env:HOME",
]


def credentials(secret: str) -> Credentials:
    return Credentials(
        access_key_id="ASIAEXAMPLEEXAMPLE01",
        secret_access_key=secret,
        session_token="token",
        expiration=datetime(2030, 1, 1, tzinfo=UTC),
    )


def evaluate(shell: list[str], script: str, tmp_path) -> str:
    proc = subprocess.run(shell, input=script, capture_output=True, text=True, cwd=tmp_path, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "PWNED").exists()
    assert "PWNED" not in proc.stdout.replace(proc.stdout.strip(), "", 1)
    return proc.stdout


POSIX_SHELLS = [name for name in ("sh", "dash", "bash", "zsh") if shutil.which(name)]


@pytest.mark.parametrize("shell", POSIX_SHELLS)
@pytest.mark.parametrize("value", HOSTILE)
def test_posix_shells_keep_the_value(shell, value, tmp_path):
    lines = export_lines(credentials(value), "eu-west-1", shell="sh")
    out = evaluate([shell], "\n".join(lines) + '\nprintf %s "$AWS_SECRET_ACCESS_KEY"\n', tmp_path)
    assert out == value


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed (apt-get install fish)")
@pytest.mark.parametrize("value", HOSTILE)
def test_fish_keeps_the_value(value, tmp_path):
    lines = export_lines(credentials(value), "eu-west-1", shell="fish")
    out = evaluate(
        ["fish", "--no-config"], "\n".join(lines) + "\nprintf %s $AWS_SECRET_ACCESS_KEY\n", tmp_path
    )
    assert out == value


@pytest.mark.skipif(shutil.which("pwsh") is None, reason="PowerShell (pwsh) is not installed")
@pytest.mark.parametrize("value", HOSTILE)
def test_powershell_keeps_the_value(value, tmp_path):
    lines = export_lines(credentials(value), "eu-west-1", shell="powershell")
    script = "\n".join(lines) + "\n[Console]::Out.Write($Env:AWS_SECRET_ACCESS_KEY)\n"
    out = evaluate(["pwsh", "-NoProfile", "-NonInteractive", "-Command", "-"], script, tmp_path)
    assert out == value


@pytest.mark.parametrize("shell", ["sh", "fish", "powershell"])
@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\x00b", "a\x1bb", "a\x7fb", "a\u2028b"])
def test_a_value_no_quoting_carries_is_refused_without_showing_it(shell, value):
    with pytest.raises(ValidationError) as error:
        export_lines(credentials("s3cr3t" + value), "eu-west-1", shell=shell)
    message = str(error.value)
    assert "AWS_SECRET_ACCESS_KEY" in message and "s3cr3t" not in message
    assert "\n" not in message


def test_a_region_with_a_newline_is_refused():
    with pytest.raises(ValidationError):
        export_lines(credentials("fine"), "eu-west-1\ntouch PWNED", shell="sh")
