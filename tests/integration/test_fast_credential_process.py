"""credential-process answered from its cache without the catalogue (the fast path), against
moto's STS: the answer is the full path's, byte for byte, and never stale.

STS calls are counted by a relay in front of moto (`sts_calls`). The fast path is
proven taken by making argparse unusable: only the full path builds the parser.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import pytest

from roleswitch import cli
from roleswitch.cli import main
from roleswitch.core import credential_process, file_identity, role_cache
from roleswitch.core.credential_process import HINT_PREFIX, answer_from_cache

from .test_mfa_sessions_and_sdk import cache_folder, setup


@pytest.fixture(autouse=True)
def settled_at_once(monkeypatch):
    """Files written by the test count as settled at once (the tick guard has its own test)."""
    monkeypatch.setattr(file_identity, "SETTLED_NS", 0)


def run(capsys, *argv):
    code = main(list(argv))
    os.environ.pop(credential_process.CHAIN_VARIABLE, None)  # as when the process ends
    out = capsys.readouterr()
    return code, out.out, out.err


def no_full_path(monkeypatch):
    def refuse():
        raise AssertionError("the full path ran")

    monkeypatch.setattr(cli, "build_parser", refuse)


def hints(home):
    return list(cache_folder(home).glob(f"{HINT_PREFIX}*.json"))


def entry(home):
    (path,) = cache_folder(home).glob("role-*.json")
    return path


def test_a_cache_hit_takes_the_fast_path_and_answers_the_same_bytes(
    home, moto, sts_calls, capsys, monkeypatch
):
    setup(home, moto, mfa=False)
    first = run(capsys, "credential-process", "admin")
    assert first[0] == 0, first[2]
    assert len(hints(home)) == 1
    full = run(capsys, "credential-process", "admin")  # the full path, answered from the cache
    with monkeypatch.context() as patched:
        no_full_path(patched)
        fast = run(capsys, "credential-process", "admin")
    assert fast == full == first
    assert sts_calls["AssumeRole"] == 1
    hint = json.loads(hints(home)[0].read_text())
    assert (
        "SecretAccessKey" not in hint
        and json.loads(first[1])["SessionToken"] not in hints(home)[0].read_text()
    )
    assert os.stat(hints(home)[0]).st_mode & 0o777 == 0o600


def test_the_fast_path_repeats_the_catalogues_warnings(home, moto, sts_calls, capsys, monkeypatch):
    setup(home, moto, mfa=False)
    with home.config.open("a") as config:
        config.write("\n[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/X\n")
    full = run(capsys, "credential-process", "admin")
    assert full[0] == 0
    no_full_path(monkeypatch)
    assert run(capsys, "credential-process", "admin") == full


def test_expired_cached_credentials_are_fetched_again(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    first = run(capsys, "credential-process", "admin")
    data = json.loads(entry(home).read_text())
    now = datetime.now(UTC)
    data["Expiration"] = (now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data["Obtained"] = (now - timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry(home).write_text(json.dumps(data))  # an hour's credentials inside botocore's 15 minutes
    assert answer_from_cache("admin") is None
    second = run(capsys, "credential-process", "admin")
    assert second[0] == 0 and second[1] != first[1]
    assert sts_calls["AssumeRole"] == 2


def test_a_changed_target_definition_is_never_answered_from_the_hint(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False, duration="3600")
    run(capsys, "credential-process", "admin")
    assert answer_from_cache("admin") is not None
    home.config.write_text(
        home.config.read_text().replace("duration_seconds = 3600", "duration_seconds = 1800")
    )
    assert answer_from_cache("admin") is None
    code, out, _ = run(capsys, "credential-process", "admin")
    assert code == 0
    assert sts_calls["AssumeRole"] == 2  # the role's shape changed: new credentials
    assert answer_from_cache("admin") == (out.rstrip("\n"), [])


def test_a_changed_source_is_never_answered_from_the_hint(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    run(capsys, "credential-process", "admin")
    credentials = home.credentials.read_text()
    home.credentials.write_text(credentials + "\n" + credentials.replace("[corp]", "[corp2]"))
    assert answer_from_cache("admin") is None  # the credentials file changed
    run(capsys, "credential-process", "admin")
    assert sts_calls["AssumeRole"] == 1  # the definition did not: still the cached credentials
    home.config.write_text(home.config.read_text().replace("source_profile = corp", "source_profile = corp2"))
    assert answer_from_cache("admin") is None
    assert run(capsys, "credential-process", "admin")[0] == 0
    assert sts_calls["AssumeRole"] == 2


def test_hint_and_entry_of_another_user_are_not_read(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    run(capsys, "credential-process", "admin")
    assert answer_from_cache("admin") is not None
    (hint,) = hints(home)
    os.chown(hint, 4321, 4321)
    assert answer_from_cache("admin") is None
    os.chown(hint, os.geteuid(), os.getegid())
    os.chown(entry(home), 4321, 4321)
    assert answer_from_cache("admin") is None


def test_logout_ends_the_fast_path(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    run(capsys, "credential-process", "admin")
    assert run(capsys, "logout")[0] == 0
    assert answer_from_cache("admin") is None
    assert run(capsys, "credential-process", "admin")[0] == 0
    assert sts_calls["AssumeRole"] == 2


def test_a_nested_call_takes_the_full_path(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    run(capsys, "credential-process", "admin")
    assert answer_from_cache("admin", {credential_process.CHAIN_VARIABLE: '["other"]'}) is None
    assert answer_from_cache("admin", {}) is not None


def test_no_hint_while_a_file_is_fresh_enough_to_change_within_its_mtime_tick(
    home, moto, sts_calls, capsys, monkeypatch
):
    setup(home, moto, mfa=False)
    monkeypatch.setattr(file_identity, "SETTLED_NS", 60 * 10**9)
    assert run(capsys, "credential-process", "admin")[0] == 0
    assert hints(home) == []


def test_the_copied_refresh_margin_is_role_caches():
    assert credential_process.SDK_REFRESH_MARGIN == role_cache.SDK_REFRESH_MARGIN


def test_the_fast_path_serves_exactly_what_the_role_cache_serves(home, moto, sts_calls, capsys):
    from roleswitch.core.catalogue import load_catalogue

    setup(home, moto, mfa=False)
    run(capsys, "credential-process", "admin")
    catalogue = load_catalogue()
    original = json.loads(entry(home).read_text())

    def stamp(moment):
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

    decisions = []
    for lifetime in (900, 1800, 3600, 0, -60):
        for left in (60, 299, 301, 601, 899, 901, 1800):
            now = datetime.now(UTC)
            expiration = now + timedelta(seconds=left)
            data = {**original, "Expiration": stamp(expiration)}
            data["Obtained"] = stamp(expiration - timedelta(seconds=lifetime))
            entry(home).write_text(json.dumps(data))
            served = role_cache.RoleCredentialsCache().get(catalogue.find("admin"), catalogue.settings, now)
            fast = answer_from_cache("admin")
            assert (fast is not None) == (served is not None), (lifetime, left)
            decisions.append(fast is not None)
    assert any(decisions) and not all(decisions)


def test_a_cache_folder_open_to_others_is_left_to_the_full_path(home, moto, sts_calls, capsys):
    setup(home, moto, mfa=False)
    first = run(capsys, "credential-process", "admin")
    assert answer_from_cache("admin") is not None
    os.chmod(cache_folder(home), 0o755)
    assert answer_from_cache("admin") is None  # the full path closes it and checks what is inside
    assert run(capsys, "credential-process", "admin") == first
    assert os.stat(cache_folder(home)).st_mode & 0o777 == 0o700
    assert answer_from_cache("admin") is not None
