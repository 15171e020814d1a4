"""The console sign-in URL is a credential: it reaches stdout with `--print` only, and
nothing secret (the URL, its token, a secret key, a session token) reaches stderr, a
log, an exception or a repr, in successes and failures alike.

Every command runs as a real process against moto's STS and the local federation
endpoint; the secrets are read back from the credentials file and the endpoint's
own records of what it received and issued.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import subprocess
import sys
from pathlib import Path

from roleswitch import cli
from roleswitch.core.aws import federation
from roleswitch.core.console import ConsoleSignIn
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.local.federation import FederationStandIn

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "roleswitch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=60,
    )


def test_no_console_run_leaks_a_secret(home, moto, monkeypatch, tmp_path, caplog):
    stand_in = FederationStandIn(moto.url).start()
    monkeypatch.setenv(federation.ENDPOINT_VARIABLE, stand_in.endpoint)
    user_arn, key, source_secret = moto.create_user("alice")
    moto.create_role("Admin", user_arn)
    record = tmp_path / "argv.json"
    script = tmp_path / "record_browser.py"
    script.write_text(f"import json, sys\nopen({str(record)!r}, 'w').write(json.dumps(sys.argv))\n")
    home.write(
        config="[profile corp]\nregion = eu-west-1\n"
        "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\nsource_profile = corp\n"
        "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/C\nsource_profile = admin\n",
        credentials=f"[corp]\naws_access_key_id = {key}\naws_secret_access_key = {source_secret}\n",
        toml=f"[settings]\nbrowser = {json.dumps(f'{shlex.quote(sys.executable)} {shlex.quote(str(script))} {{url}}')}\n",
    )
    try:
        assert run("assume", "admin").returncode == 0
        active = CredentialsFile().read_credentials("default")
        printed = [run("console", "--print"), run("console", "corp", "--print", "--duration", "1h")]
        quiet = [
            run("console", "admin"),  # through the browser command
            run("console", "chained", "--duration", "1h"),  # refused before any call
            run("console", "admin", "--print", "--destination", "http://evil.example/"),
        ]
        caplog.set_level(logging.DEBUG)
        assert cli.main(["console", "admin", "--print"]) == 0  # in this process: its logs are caplog's
        moto.reset()  # STS forgets every session: the endpoint now refuses the active one
        refused = run("console", "--print")
        assert refused.returncode == 1
        opened_url = json.loads(record.read_text())[1]
        keys = {source_secret, active.secret_access_key, active.session_token}
        for query in stand_in.requests:
            if "Session" in query:
                sent = json.loads(query["Session"])
                keys |= {sent["sessionKey"], sent["sessionToken"]}
        secrets = keys | {opened_url} | set(stand_in.tokens)  # and every sign-in token issued
    finally:
        stand_in.stop()
    for done in printed:  # the URL on stdout, one line, and nothing else anywhere
        assert done.returncode == 0 and done.stdout.count("\n") == 1
        assert any(token in done.stdout for token in stand_in.tokens)
        assert not any(secret in done.stdout for secret in keys)
        assert not any(secret in done.stderr for secret in secrets)
    for done in [*quiet, refused]:
        for secret in secrets:
            assert secret not in done.stdout, done.args
            assert secret not in done.stderr, done.args
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in repr(stand_in)


def test_reprs_and_errors_never_show_the_url(home):
    url = federation.login_url(
        "https://signin.aws.amazon.com/federation", "TOKEN-SECRET-0123456789", "https://x"
    )
    sign_in = ConsoleSignIn(
        url=url, label="prod/Admin", container="prod/Admin", colour="red", region="eu-west-1"
    )
    for text in (repr(sign_in), str(sign_in), repr(url), f"{url!s}"):
        assert "TOKEN-SECRET" not in text and "Action=login" not in text
