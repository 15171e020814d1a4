"""The command line as a person types it, run as real processes against moto's STS.

Usage mistakes exit 2 with one line and cost no STS call; a terminal gets a
second chance at a mistyped MFA code; Ctrl-C at any moment is one line, never a
traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest

SERIAL = "arn:aws:iam::123456789012:mfa/alice"


def cli(*argv: str, env: dict | None = None, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *argv],
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=60,
        env=env or os.environ.copy(),
    )


def setup(home, moto, *, mfa: bool = False, corp_region: str | None = "eu-west-1") -> str:
    user_arn, key, secret = moto.create_user("alice")
    role_arn = moto.create_role("Admin", user_arn)
    config = (
        "[profile corp]\n"
        + (f"region = {corp_region}\n" if corp_region else "")
        + f"\n[profile admin]\nrole_arn = {role_arn}\nsource_profile = corp\n"
        + (f"mfa_serial = {SERIAL}\n" if mfa else "")
    )
    home.write(
        config=config,
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n",
    )
    return role_arn


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and text.endswith("\n") and "Traceback" not in text


# --- 12: exec takes its options before `--` ------------------------------------------------


def test_exec_options_before_the_double_dash_and_the_command_verbatim_after(home, moto, sts_calls):
    setup(home, moto)
    show = "import json, os, sys; print(json.dumps([os.environ['AWS_ACCESS_KEY_ID'], sys.argv[1:]]))"
    proc = cli("exec", "admin", "--duration", "1h", "--", sys.executable, "-c", show, "--duration", "--", "x")
    assert proc.returncode == 0, proc.stderr
    key, argv = json.loads(proc.stdout)
    assert key.startswith("ASIA")
    assert argv == ["--duration", "--", "x"]
    assert sts_calls["AssumeRole"] == 1


def test_exec_checks_the_mfa_code_before_calling_sts(home, moto, sts_calls):
    setup(home, moto, mfa=True)
    proc = cli("exec", "admin", "--mfa-code", "12ab56", "--", "true")
    assert proc.returncode == 2 and one_line(proc.stderr), proc.stderr
    assert "6 digits" in proc.stderr
    assert sts_calls["AssumeRole"] == 0 and sts_calls["GetSessionToken"] == 0


def test_exec_without_a_command_is_a_usage_error(home, moto, sts_calls):
    setup(home, moto)
    for argv in (("exec", "admin"), ("exec", "admin", "--"), ("exec", "admin", "true")):
        proc = cli(*argv)
        assert proc.returncode == 2 and one_line(proc.stderr), (argv, proc.stderr)
        assert "--" in proc.stderr
    assert sts_calls["AssumeRole"] == 0


def test_exec_gives_the_command_only_the_roles_credentials(home, moto, sts_calls, tmp_path):
    setup(home, moto)
    env = os.environ.copy()
    env.update(AWS_PROFILE="corp", AWS_DEFAULT_PROFILE="corp", AWS_SECURITY_TOKEN="old", AWS_ROLE_ARN="x")
    show = "import os, json; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('AWS_')}))"
    proc = cli("exec", "admin", "--", sys.executable, "-c", show, env=env)
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN", "AWS_ROLE_ARN"):
        assert name not in seen
    assert seen["AWS_ACCESS_KEY_ID"].startswith("ASIA")


# --- 13: usage errors exit 2 ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("assume", "admin", "--duration", "5s"),
        ("assume", "admin", "--duration", "soon"),
        ("env", "admin", "--duration", "13h"),
        ("assume", "admin", "--mfa-code", "12345"),
        ("exec", "admin", "--duration", "0", "--", "true"),
    ],
)
def test_a_bad_option_value_is_a_usage_error(home, moto, sts_calls, argv):
    setup(home, moto)
    before = home.credentials.read_bytes()
    proc = cli(*argv)
    assert proc.returncode == 2 and one_line(proc.stderr), proc.stderr
    assert sts_calls["AssumeRole"] == 0
    assert home.credentials.read_bytes() == before


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_env_accepts_bash_and_zsh(home, moto, sts_calls, shell):
    setup(home, moto)
    proc = cli("env", "admin", "--shell", shell)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("export AWS_ACCESS_KEY_ID=")


def test_an_unknown_target_gets_suggestions(home):
    arn = "arn:aws:iam::123456789012:role/R"
    home.write(
        config="".join(
            f"[profile {name}]\nrole_arn = {arn}\nsource_profile = corp\n"
            for name in ("prod-admin", "prod-readonly", "dev-admin", "dev-deploy", "stage-admin")
        )
    )
    proc = cli("assume", "prod-admn")
    assert proc.returncode == 1 and one_line(proc.stderr), proc.stderr
    assert "No target named 'prod-admn'" in proc.stderr and "prod-admin" in proc.stderr
    proc = cli("assume", "PROD-ADMIN")
    assert "did you mean prod-admin?" in proc.stderr
    proc = cli("assume", "admin")  # substring hits, at most three
    suggested = re.search(r"did you mean (.*)\?", proc.stderr)[1].split(", ")
    assert len(suggested) == 3 and all("admin" in name for name in suggested)
    proc = cli("assume", "zzzz")
    assert "did you mean" not in proc.stderr and one_line(proc.stderr)


def test_remove_profile_names_no_flag_it_does_not_have(home):
    home.write(config="[profile work]\nregion = eu-west-1\n")
    before = home.config.read_bytes()
    proc = cli("remove-profile", "work")
    assert proc.returncode == 1 and one_line(proc.stderr), proc.stderr
    assert "--name" not in proc.stderr and "not written by roleswitch" in proc.stderr
    assert home.config.read_bytes() == before


# --- list shows the region botocore would use ------------------------------------------------


def region_column(stdout: str, target: str) -> str:
    line = next(line for line in stdout.splitlines() if f" {target} " in line)
    return re.search(r"region=(.*?)\s*(?:MFA|active|$)", line)[1].strip()


def botocore_region(profile: str, env: dict) -> str | None:
    code = f"import boto3; print(boto3.Session(profile_name={profile!r}).region_name)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return None if out.stdout.strip() == "None" else out.stdout.strip()


def test_list_shows_the_region_inherited_from_the_source_profile(home, moto):
    setup(home, moto, corp_region="eu-west-1")
    env = os.environ.copy()
    env.pop("AWS_DEFAULT_REGION", None)
    proc = cli("list", env=env)
    assert proc.returncode == 0, proc.stderr
    assert botocore_region("corp", env) == "eu-west-1"
    assert region_column(proc.stdout, "admin") == "eu-west-1 (from corp)"
    listed = json.loads(cli("list", "--json", env=env).stdout)
    assert [t["region"] for t in listed if t["name"] == "admin"] == ["eu-west-1"]


def test_list_shows_the_region_from_the_environment_when_botocore_would_use_it(home, moto):
    setup(home, moto, corp_region="eu-west-1")
    env = {**os.environ, "AWS_DEFAULT_REGION": "ap-south-1"}
    assert botocore_region("corp", env) == "ap-south-1"
    proc = cli("list", env=env)
    assert region_column(proc.stdout, "admin") == "ap-south-1 (from AWS_DEFAULT_REGION)"


def test_list_shows_the_default_region_when_nothing_sets_one(home, moto):
    setup(home, moto, corp_region=None)
    env = os.environ.copy()
    env.pop("AWS_DEFAULT_REGION", None)
    assert botocore_region("corp", env) is None
    proc = cli("list", env=env)
    assert region_column(proc.stdout, "admin") == "us-east-1 (default)"


# --- on a terminal --------------------------------------------------------------------------


class Terminal:
    """roleswitch on a pseudo-terminal: what a person sees, and keys they type."""

    def __init__(self, *argv: str) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: roleswitch, on the terminal
            os.environ["TERM"] = "xterm-256color"
            os.execv(sys.executable, [sys.executable, "-m", "roleswitch", *argv])
        self.seen = b""

    def wait_for(self, text: bytes, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {text!r} in {self.seen[-2000:]!r}"
            if select.select([self.fd], [], [], left)[0]:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                assert chunk, f"the process ended without showing {text!r}: {self.seen[-2000:]!r}"
                self.seen += chunk

    def type(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def exit_code(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while True:
            if select.select([self.fd], [], [], 0.1)[0]:
                with contextlib.suppress(OSError):
                    self.seen += os.read(self.fd, 65536)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
            assert time.monotonic() < deadline, "roleswitch did not exit"


def test_a_mistyped_mfa_code_is_asked_for_again(home, moto, sts_calls):
    setup(home, moto, mfa=True)
    term = Terminal("assume", "admin")
    term.wait_for(b"MFA code for")
    term.type("12345\n")
    term.wait_for(b"6 digits")
    term.type("12 34 56x\n")
    term.wait_for(b"try 3 of 3")
    term.type("123456\n")
    assert term.exit_code() == 0, term.seen
    assert b"Assumed arn:aws:sts::123456789012:assumed-role/Admin/" in term.seen
    assert sts_calls["GetSessionToken"] == 1


def test_three_mistyped_mfa_codes_end_with_one_sentence(home, moto, sts_calls):
    setup(home, moto, mfa=True)
    before = home.credentials.read_bytes()
    term = Terminal("assume", "admin")
    for _ in range(3):
        term.wait_for(b"MFA code for")
        term.seen = b""
        term.type("1234\n")
    assert term.exit_code() == 1
    assert b"Traceback" not in term.seen
    assert b"No valid MFA code after 3 tries" in term.seen
    assert sts_calls["GetSessionToken"] == 0 and sts_calls["AssumeRole"] == 0
    assert home.credentials.read_bytes() == before


def test_assume_without_a_target_needs_a_terminal(home):
    proc = cli("assume")
    assert proc.returncode == 2 and one_line(proc.stderr), proc.stderr
    assert "TARGET" in proc.stderr


def test_assume_without_a_target_on_a_terminal_opens_the_picker(home, moto):
    setup(home, moto)
    term = Terminal("assume")
    term.wait_for(b"\x1b[?1049h")  # the app took the screen
    term.wait_for(b"admin")
    term.type("\x11")  # ctrl+q
    assert term.exit_code() == 0


# --- Ctrl-C at any moment -------------------------------------------------------------------

# Loaded by the child's interpreter (sitecustomize): says when roleswitch's main() has started
# (its `try` calls `_main`), so the interrupt lands in roleswitch's own start-up (its imports,
# parsing, the command), not in the interpreter's, which prints Python's own traceback before
# any roleswitch code runs.
MAIN_WATCH = """
import os, sys

def _watch(frame, event, arg):
    code = frame.f_code
    if event == "call" and code.co_name == "_main" and code.co_filename.endswith("cli.py"):
        sys.setprofile(None)
        fd = int(os.environ.pop("ROLESWITCH_TEST_MAIN_FD"))
        os.write(fd, b"main")
        os.close(fd)

if "ROLESWITCH_TEST_MAIN_FD" in os.environ:
    sys.setprofile(_watch)
"""

DELAYS_MS = range(0, 61, 5)


def watched_environment(tmp_path) -> tuple[dict, int, int]:
    (tmp_path / "watch").mkdir(exist_ok=True)
    (tmp_path / "watch" / "sitecustomize.py").write_text(MAIN_WATCH)
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(tmp_path / "watch"), env.get("PYTHONPATH")]))
    env["ROLESWITCH_TEST_MAIN_FD"] = str(write_end)
    return env, read_end, write_end


def wait_for_main(read_end: int) -> None:
    assert select.select([read_end], [], [], 30)[0], "roleswitch's main() never started"
    assert os.read(read_end, 16) == b"main"
    os.close(read_end)


def check_interrupted(code: int, err: str) -> None:
    """Exit 130 with the one line, or the command's own 0 if it had finished.

    Death by SIGINT (a shell shows 130 for it too) is also fine: CPython 3.11 kills itself
    with SIGINT at exit when the interrupt landed in code it ran from a string (dataclasses
    and namedtuple build methods that way), even though roleswitch caught it and printed
    its line; and a signal in the interpreter's last moments takes the default action.
    """
    assert "Traceback" not in err, err
    assert code in (0, 130, -signal.SIGINT), (code, err)
    if code != 0 and err:
        assert err.endswith("roleswitch: interrupted; nothing was written.\n"), err
        assert err.count("\n") == 1 or err.startswith("roleswitch: warning"), err


def test_ctrl_c_at_any_moment_of_a_command_is_one_line(home, moto, tmp_path):
    setup(home, moto)
    codes = []
    for delay in DELAYS_MS:
        env, read_end, write_end = watched_environment(tmp_path)
        proc = subprocess.Popen(
            [sys.executable, "-m", "roleswitch", "list"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            pass_fds=(write_end,),
        )
        os.close(write_end)
        wait_for_main(read_end)
        time.sleep(delay / 1000)  # the moment is what this test varies
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
        check_interrupted(proc.returncode, err)
        codes.append(proc.returncode)
    assert 130 in codes


def test_ctrl_c_while_the_app_starts_is_one_line(home, moto, tmp_path):
    setup(home, moto)
    for delay in DELAYS_MS:
        env, read_end, write_end = watched_environment(tmp_path)
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.clear()
            os.environ.update(env, TERM="xterm-256color")
            os.execv(sys.executable, [sys.executable, "-m", "roleswitch"])
        os.close(write_end)
        wait_for_main(read_end)
        time.sleep(delay / 1000)
        os.kill(pid, signal.SIGINT)
        seen, status = b"", None
        deadline = time.monotonic() + 15
        while status is None and time.monotonic() < deadline:
            try:
                if select.select([fd], [], [], 0.2)[0]:
                    seen += os.read(fd, 65536)
            except OSError:
                pass
            done, raw = os.waitpid(pid, os.WNOHANG)
            status = raw if done else None
        os.close(fd)
        text = seen.decode(errors="replace").replace("\r\n", "\n")
        if status is None:
            # The app reached its event loop: a bare pty answers none of Textual's terminal
            # queries, so it cannot close here (tests/e2e/test_quit.py covers that in tmux).
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            assert "Traceback" not in text, (delay, text)
            continue
        code = os.waitstatus_to_exitcode(status)
        assert code in (130, -signal.SIGINT), (delay, code, text)
        assert "interrupted; nothing was written." in text, (delay, text)
        check_interrupted(code, text)


# --- secrets never land on a screen by accident; a closed pipe is not a traceback ------------


def test_env_refuses_to_print_secrets_on_a_terminal_before_any_sts_call(home, moto, sts_calls):
    setup(home, moto)
    term = Terminal("env", "admin")
    assert term.exit_code() == 2, term.seen
    assert b'eval "$(roleswitch env admin)"' in term.seen and b"--show" in term.seen
    assert b"AWS_SECRET_ACCESS_KEY" not in term.seen and b"Traceback" not in term.seen
    assert sts_calls["AssumeRole"] == 0
    shown = Terminal("env", "admin", "--show")  # asked for in so many words: printed
    assert shown.exit_code() == 0, shown.seen
    assert b"export AWS_SECRET_ACCESS_KEY=" in shown.seen and sts_calls["AssumeRole"] == 1
    piped = cli("env", "admin")  # what eval "$(...)" reads: a pipe, no question asked
    assert piped.returncode == 0 and "export AWS_SECRET_ACCESS_KEY=" in piped.stdout


def test_a_reader_that_goes_away_early_is_no_traceback(home):
    """`roleswitch list | head -3`: head closes the pipe after three lines."""
    profiles = "".join(
        f"[profile role{n:04d}]\nrole_arn = arn:aws:iam::{100000000000 + n:012d}:role/R\nsource_profile = corp\n"
        for n in range(3000)
    )
    home.write(config="[profile corp]\n" + profiles, credentials="[corp]\naws_access_key_id = AKIAX\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "roleswitch", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(200)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
