"""The demo sandbox: seeded for real, pointed only at itself, gone afterwards."""

from __future__ import annotations

import hashlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import AssumeError
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.sts import StsClient
from roleswitch.demo import MARKER, SHELL_VARIABLES, DemoSandbox, sandbox_folder_problem


def test_sandbox_assumes_denies_restores_env_and_cleans_up(home):
    before_env = dict(os.environ)
    before_home = {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()}
    with DemoSandbox() as sandbox:
        folder = sandbox.folder
        assert os.environ["HOME"] == str(folder)
        catalogue = load_catalogue()
        assert {a.name for a in catalogue.accounts()} >= {
            "Production",
            "Staging",
            "Development",
            "Security",
            "Sandbox",
        }
        assert catalogue.find("production/BreakGlass").needs_mfa
        assert catalogue.find("production/Deploy").external_id
        assert not catalogue.find("old-prototype").valid
        sts = StsClient(mfa_sessions=MfaSessionStore())
        result = sts.assume(catalogue.find("security/ReadOnly"), settings=catalogue.settings)
        CredentialsFile().write("default", result)
        try:
            sts.assume(catalogue.find("security/Auditor"), settings=catalogue.settings)
        except AssumeError as error:
            assert error.code == "bad-source"
            assert str(error).startswith("No credentials were found for source profile 'auditor'")
        else:
            raise AssertionError("the Auditor role has no source keys and should fail")
        breakglass = catalogue.find("production/BreakGlass")
        assert sts.assume(breakglass, settings=catalogue.settings, mfa_code="123456")
        assert sts.assume(breakglass, settings=catalogue.settings)  # the MFA session serves it
    assert not folder.exists()
    assert dict(os.environ) == before_env
    assert {p: p.read_bytes() for p in home.root.rglob("*") if p.is_file()} == before_home


def test_demo_without_moto_says_how_to_install_it(home):
    code = (
        "import sys; sys.modules['moto'] = None; sys.modules['moto.server'] = None\n"
        "from roleswitch.cli import main; raise SystemExit(main(['demo']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "pip install 'roleswitch[demo]'" in proc.stderr


def demo_process(*args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "roleswitch", "demo", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def files_and_bytes(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None for p in folder.rglob("*")}


def test_demo_refuses_a_folder_holding_someone_elses_files(home, tmp_path):
    real_home = tmp_path / "someone"
    (real_home / ".aws").mkdir(parents=True)
    (real_home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAREALKEY000000001\naws_secret_access_key = real-secret\n"
    )
    (real_home / "notes.txt").write_text("mine\n")
    before = files_and_bytes(real_home)
    proc = demo_process("--dir", str(real_home))
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # it opened the app on those files instead of refusing
        proc.kill()
        out, err = proc.communicate()
    assert files_and_bytes(real_home) == before
    assert proc.returncode == 2 and out == ""
    assert err.count("\n") == 1 and "is not empty and was not made by roleswitch demo" in err


def test_demo_refuses_a_file_as_its_folder(home, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "roleswitch", "demo", "--dir", str(not_a_folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "is not a folder" in proc.stderr and proc.stderr.count("\n") == 1
    assert not_a_folder.read_text() == "x"


def test_demo_takes_a_missing_or_empty_folder_or_its_own(tmp_path):
    assert sandbox_folder_problem(tmp_path / "missing") is None
    (tmp_path / "empty").mkdir()
    assert sandbox_folder_problem(tmp_path / "empty") is None
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    assert sandbox_folder_problem(tmp_path / "used")
    (tmp_path / "used" / MARKER).write_text("")
    assert sandbox_folder_problem(tmp_path / "used") is None


def read_until_exports(proc: subprocess.Popen, errors, deadline_seconds: float = 90) -> dict[str, str]:
    """The `export` lines the demo prints once its sandbox is up. A thread reads the
    lines: select() on the pipe would miss lines already in the reader's buffer."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    exports: dict[str, str] = {}
    deadline = time.monotonic() + deadline_seconds
    while "AWS_ENDPOINT_URL_STS" not in exports:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            errors.seek(0)
            raise AssertionError(f"no export lines in {deadline_seconds}s: {errors.read()}") from None
        if line.startswith("export "):
            name, value = shlex.split(line)[1].split("=", 1)
            exports[name] = value
    return exports


def test_demo_shell_points_another_terminal_at_its_sandbox_while_it_runs(home, tmp_path):
    folder = tmp_path / "sandbox"
    before_home = files_and_bytes(home.root)
    errors = (tmp_path / "demo-stderr").open("w+")  # a file: a full pipe could stall the demo
    proc = demo_process("--shell", "--dir", str(folder), stderr=errors)
    try:
        exports = read_until_exports(proc, errors)
        assert set(exports) == set(SHELL_VARIABLES)
        assert (folder / MARKER).is_file()
        # Another terminal: the person's own environment plus the printed lines.
        assume = subprocess.run(
            [sys.executable, "-m", "roleswitch", "assume", "security/ReadOnly"],
            env={**os.environ, **exports},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert assume.returncode == 0, assume.stderr
        written = raw_config_parse(exports["AWS_SHARED_CREDENTIALS_FILE"])
        assert written["default"]["manager"] == "roleswitch"
        assert written["default"]["aws_session_token"] not in assume.stdout + assume.stderr
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    errors.seek(0)
    err = errors.read()
    assert proc.returncode == 0 and "endpoint is stopped" in err and str(folder) in err
    assert "logout --sso" not in err.splitlines()[-1]  # nobody signed in: nothing to remove
    assert (folder / MARKER).is_file() and (folder / ".aws" / "credentials").is_file()
    with pytest.raises(OSError):
        urllib.request.urlopen(exports["AWS_ENDPOINT_URL_STS"], timeout=5)
    assert files_and_bytes(home.root) == before_home


def test_a_sandbox_that_fails_to_start_stops_its_endpoint_and_cleans_up(home, monkeypatch):
    before_env = dict(os.environ)
    sandbox = DemoSandbox()

    def seed_fails() -> None:
        raise RuntimeError("seeding failed")

    monkeypatch.setattr(sandbox, "_seed", seed_fails)
    with pytest.raises(RuntimeError), sandbox:
        pass
    assert sandbox._server is None and sandbox.identity_center is None and not sandbox.folder.exists()
    assert dict(os.environ) == before_env


def test_a_kept_sandbox_starts_without_its_last_runs_discovery_and_sign_ins(home, tmp_path):
    """moto makes new account ids each run and the portal is new: the last run's discovered
    organisation, SSO discovery and sign-ins are stale, so a restarted sandbox removes them,
    and only them, and only inside its own folder."""
    import argparse
    import io

    from roleswitch.core.organizations import OrganizationCache, load_organization_specs
    from roleswitch.discover_command import run_discover

    folder = tmp_path / "sandbox"
    with DemoSandbox(folder) as sandbox:
        assert run_discover(argparse.Namespace(names=["org"]), io.StringIO()) == 0
        (spec,), _ = load_organization_specs()
        assert OrganizationCache().load(spec) is not None
        cache, sso_cache = sandbox.cache_folder, sandbox.sso_cache_folder
    sso_cache.mkdir(parents=True)
    stale = [
        cache / "sso-discovery-0a1b.json",
        sso_cache / "0123abcd.json",
        sso_cache / "botocore-client-x.json",
    ]
    kept = [cache / "keep-me.json", cache / "sso-discovery-0a1b.txt", sso_cache / "notes.txt"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "organization-theirs.json").write_text("{}")
    (cache / "organization-link.json").symlink_to(outside / "organization-theirs.json")
    for path in stale + kept:
        path.write_text("{}")
    with DemoSandbox(folder):
        (spec,), _ = load_organization_specs()
        assert OrganizationCache().load(spec) is None  # listed afresh, with this run's ids
        assert not any(path.exists() for path in stale)
        assert not (cache / "organization-link.json").is_symlink()
        assert all(path.read_text() == "{}" for path in kept)
        assert (outside / "organization-theirs.json").read_text() == "{}"
        assert not list(cache.glob("organization-*.json"))


def test_a_sandbox_never_follows_a_symlink_out_of_its_folder_to_clean(home, tmp_path):
    folder = tmp_path / "sandbox"
    outside = tmp_path / "outside"
    (outside / "sso" / "cache").mkdir(parents=True)
    (outside / "roleswitch").mkdir()
    theirs = [outside / "sso" / "cache" / "0123abcd.json", outside / "roleswitch" / "organization-1.json"]
    for path in theirs:
        path.write_text("{}")
    (folder / ".aws").mkdir(parents=True)
    (folder / ".cache").mkdir()
    (folder / MARKER).write_text("")
    (folder / ".aws" / "sso").symlink_to(outside / "sso")
    (folder / ".cache" / "roleswitch").symlink_to(outside / "roleswitch")
    with DemoSandbox(folder):
        assert all(path.read_text() == "{}" for path in theirs)


def test_demo_shell_says_where_a_terminals_sign_in_is_kept_when_it_stops(home, tmp_path):
    """`roleswitch login roleswitch-demo` in another terminal keeps its token in the person's
    own ~/.aws/sso/cache (HOME is not in the printed lines): the closing line names that file
    and the command that removes it."""
    import re
    import urllib.parse

    from roleswitch.demo import SSO_SESSION

    errors = (tmp_path / "demo-stderr").open("w+")
    proc = demo_process("--shell", stderr=errors)
    try:
        exports = read_until_exports(proc, errors)
        assert "HOME" not in exports
        login = subprocess.Popen(
            [sys.executable, "-m", "roleswitch", "login", SSO_SESSION],
            env={**os.environ, **exports},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert login.stderr is not None
            code = next(m.group(1) for line in login.stderr if (m := re.search(r"code: (\S+)", line)))
            approve = f"{exports['AWS_ENDPOINT_URL_SSO']}/device/approve"
            urllib.request.urlopen(
                approve, data=urllib.parse.urlencode({"user_code": code}).encode(), timeout=5
            )
            assert login.wait(timeout=60) == 0
        finally:
            login.kill()
        token = (
            home.root / ".aws" / "sso" / "cache" / f"{hashlib.sha1(SSO_SESSION.encode()).hexdigest()}.json"
        )
        assert token.is_file()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        proc.kill()
    errors.seek(0)
    closing = errors.read().strip().splitlines()[-1]
    assert proc.returncode == 0 and closing.startswith("roleswitch demo ended;")
    assert str(token) in closing and f"`roleswitch logout --sso {SSO_SESSION}`" in closing
    assert token.is_file()  # the demo says where it is; it never touches the person's home
