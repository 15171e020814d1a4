"""`roleswitch serve` as a real process against moto's STS, with real clients as its command.

The clients are boto3 (and the AWS CLI when it can be installed) in child processes,
which know nothing of roleswitch: they find the server only through the container
credentials variables. STS calls are counted by the relay in front of moto.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.mfa_sessions import MfaSessionStore
from roleswitch.core.role_cache import RoleCredentialsCache
from roleswitch.serve.refresher import Refresher
from roleswitch.serve.server import CredentialServer
from roleswitch.serve.source import RoleSource

ROOT = Path(__file__).resolve().parents[2]
SERIAL = "arn:aws:iam::123456789012:mfa/alice"


def setup(home, moto, *, mfa: bool = False) -> dict[str, str]:
    """alice may assume Admin; bob's long-term keys sit in [default], the trap."""
    user_arn, key, secret = moto.create_user("alice")
    _, bob_key, bob_secret = moto.create_user("bob", can_assume=False)
    moto.create_role("Admin", user_arn)
    home.write(
        config=(
            "[default]\nregion = eu-west-1\n\n[profile corp]\nregion = us-east-1\n\n"
            "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
            + (f"mfa_serial = {SERIAL}\n" if mfa else "")
        ),
        credentials=(
            f"[default]\naws_access_key_id = {bob_key}\naws_secret_access_key = {bob_secret}\n\n"
            f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"
        ),
    )
    return {"bob_key": bob_key, "bob_secret": bob_secret, "secret": secret}


def serve(*args: str, env: dict[str, str] | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "roleswitch", "serve", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or dict(os.environ),
        **options,
    )


def python(code: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(code)]


IDENTITY = """
    import json, os, boto3
    print(json.dumps({
        "arn": boto3.client("sts").get_caller_identity()["Arn"],
        "env": sorted(k for k in os.environ if k.startswith("AWS_")),
        "region": boto3.Session().region_name,
        "method": boto3.Session().get_credentials().method,
    }))
"""


def test_boto3_in_the_command_gets_the_role_even_with_keys_in_default_and_the_environment(
    home, moto, sts_calls, monkeypatch
):
    trap = setup(home, moto)
    monkeypatch.setenv("AWS_PROFILE", "default")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", trap["bob_key"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", trap["bob_secret"])
    proc = serve("admin", "--", *python(IDENTITY))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    seen = json.loads(out)
    assert seen["arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert seen["method"] == "container-role"
    assert seen["region"] == "us-east-1"  # the source's, set explicitly for the command
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"} & set(
        seen["env"]
    )
    assert sts_calls["AssumeRole"] == 1
    assert err == ""  # nothing said while all is well, and nothing secret ever
    assert trap["secret"] not in out + err and trap["bob_secret"] not in out + err


def test_the_exit_status_passes_through(home, moto, sts_calls):
    setup(home, moto)
    proc = serve("admin", "--", *python("raise SystemExit(7)"))
    proc.communicate(timeout=60)
    assert proc.returncode == 7


def test_a_missing_command_is_127_and_one_line(home, moto, sts_calls):
    setup(home, moto)
    proc = serve("admin", "--", "no-such-command-here")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 127
    assert err.strip() == "roleswitch: command not found: no-such-command-here"


def test_sigterm_to_roleswitch_reaches_the_command(home, moto, sts_calls, tmp_path):
    setup(home, moto)
    marker = tmp_path / "got-sigterm"
    proc = serve(
        "admin",
        "--",
        *python(
            f"""
            import signal, sys, time
            def stop(number, frame):
                open({str(marker)!r}, "w").write(str(number))
                sys.exit(42)
            signal.signal(signal.SIGTERM, stop)
            print("ready", flush=True)
            time.sleep(30)
            """
        ),
    )
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    assert marker.read_text() == str(int(signal.SIGTERM))
    assert proc.returncode == 42  # the command decided, and its status is roleswitch's


def test_a_command_killed_by_a_signal_kills_roleswitch_with_it(home, moto, sts_calls):
    setup(home, moto)
    proc = serve("admin", "--", *python("import os, signal; os.kill(os.getpid(), signal.SIGKILL)"))
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def test_a_program_keeps_working_across_renewals(home, moto, sts_calls):
    """Renewal is brought forward to 2 s after each fetch (`--renew-before 898` of a 900 s
    session), so a few seconds hold several renewals; botocore asks on every call, since
    a 900 s set is always inside its 15-minute window. The program stops once it has used
    three sets (renewed twice), so the test waits for the renewals, not a fixed 7 s."""
    setup(home, moto)
    proc = serve(
        "admin",
        "--duration",
        "900",
        "--renew-before",
        "898",
        "--",
        *python(
            """
            import json, time, boto3
            client = boto3.client("sts")
            session_credentials = client._request_signer._credentials
            keys, arns, began = [], set(), time.monotonic()
            # Until three sets were used over 15 requests at least (about 4.5 s), or 20 s.
            while len(set(keys)) < 3 or len(keys) < 15:
                if time.monotonic() - began > 20:
                    break
                arns.add(client.get_caller_identity()["Arn"])
                keys.append(session_credentials.get_frozen_credentials().access_key)
                time.sleep(0.2)
            print(json.dumps({"keys": keys, "arns": sorted(arns)}))
            """
        ),
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    seen = json.loads(out)
    distinct = list(dict.fromkeys(seen["keys"]))
    assert len(distinct) >= 3  # renewed at least twice, and the program never stopped
    assert all(arn.startswith("arn:aws:sts::123456789012:assumed-role/Admin/") for arn in seen["arns"])
    # One STS call per renewal, not one per request (about 30 requests were made).
    assert sts_calls["AssumeRole"] <= len(distinct) + 1
    assert len(seen["keys"]) >= 15


def test_without_a_command_it_prints_the_two_variables_and_serves_until_stopped(home, moto, sts_calls):
    setup(home, moto)
    proc = serve("admin")
    lines = [proc.stdout.readline().strip() for _ in range(2)]
    assert [line.split("=", 1)[0] for line in lines] == [
        "export AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "export AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ]
    values = {line.split("=", 1)[0].split()[1]: line.split("=", 1)[1].strip("'") for line in lines}
    url = values["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    assert url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(
        url, headers={"Authorization": values["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        served = json.loads(answer.read())
    assert served["AccessKeyId"].startswith("ASIA")
    for wrong in ("nope", values["AWS_CONTAINER_AUTHORIZATION_TOKEN"] + "x"):
        refused = urllib.request.Request(url, headers={"Authorization": wrong})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(refused, timeout=5)
        assert served["SecretAccessKey"] not in answer.value.read().decode()
    proc.send_signal(signal.SIGTERM)
    rest, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert "stopped after answering 1 requests" in err
    # Secrets: the token only in the two export lines on stdout, the credentials nowhere.
    assert values["AWS_CONTAINER_AUTHORIZATION_TOKEN"] not in err + rest
    assert served["SecretAccessKey"] not in err + rest and served["Token"] not in err + rest


def test_fifty_parallel_requests_cause_one_sts_call(home, moto, sts_calls):
    setup(home, moto)
    target = load_catalogue().find("admin")
    source = RoleSource(target, load_catalogue().settings)
    refresher = Refresher(source.renew)  # not primed: the storm arrives before any credentials
    server = CredentialServer(refresher.get).start()
    barrier = threading.Barrier(50)
    keys: list[str] = []

    def ask() -> None:
        barrier.wait(timeout=10)
        request = urllib.request.Request(server.url, headers={"Authorization": server.token})
        with urllib.request.urlopen(request, timeout=30) as answer:
            keys.append(json.loads(answer.read())["AccessKeyId"])

    threads = [threading.Thread(target=ask) for _ in range(50)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        server.stop()
    assert len(keys) == 50 and len(set(keys)) == 1
    assert sts_calls["AssumeRole"] == 1
    assert server.answered == 50


def test_a_renewal_that_needs_an_mfa_code_is_a_503_with_one_sentence_logged_once(home, moto, sts_calls):
    setup(home, moto, mfa=True)
    catalogue = load_catalogue()
    source = RoleSource(catalogue.find("admin"), catalogue.settings, mfa_sessions=MfaSessionStore())
    logged: list[str] = []
    refresher = Refresher(source.renew, log=logged.append)
    server = CredentialServer(refresher.get).start()
    try:
        answers = []
        for _ in range(3):
            request = urllib.request.Request(server.url, headers={"Authorization": server.token})
            try:
                urllib.request.urlopen(request, timeout=10)
            except urllib.error.HTTPError as error:
                answers.append((error.code, error.read().decode().strip()))
    finally:
        server.stop()
    assert [code for code, _ in answers] == [503, 503, 503]
    sentence = answers[0][1]
    assert "admin needs a new MFA code" in sentence and "roleswitch assume admin" in sentence
    assert sentence.count("\n") == 0 and sentence.endswith(".")
    assert logged == [sentence]  # once, not once per request
    assert sts_calls["AssumeRole"] == 0 and sts_calls["GetSessionToken"] == 0


def test_serve_starts_from_the_cache_credential_process_filled(home, moto, sts_calls):
    setup(home, moto)
    assert (
        subprocess.run(
            [sys.executable, "-m", "roleswitch", "credential-process", "admin"],
            cwd=ROOT,
            capture_output=True,
            env=dict(os.environ),
            timeout=60,
        ).returncode
        == 0
    )
    assert sts_calls["AssumeRole"] == 1
    proc = serve("admin", "--", *python(IDENTITY))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert sts_calls["AssumeRole"] == 1  # the server's first set came from the cache
    assert RoleCredentialsCache().cache.count() == 1


def test_a_non_loopback_host_is_a_usage_error_before_anything_happens(home, moto, sts_calls):
    setup(home, moto)
    proc = serve("admin", "--host", "0.0.0.0", "--", *python("print('ran')"))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert out == "" and err.count("\n") == 1 and "not a loopback address" in err
    assert sts_calls["AssumeRole"] == 0


def test_the_aws_cli_in_the_command_gets_the_role(home, moto, sts_calls, aws_cli):
    trap = setup(home, moto)
    proc = serve("admin", "--", str(aws_cli), "sts", "get-caller-identity", "--output", "json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert json.loads(out)["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/Admin/")
    assert trap["bob_secret"] not in out + err
