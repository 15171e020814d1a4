"""The accounts found are remembered per organisation, in a file only we can have written."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from roleswitch.core.organizations import (
    CACHE_PREFIX,
    OrganizationAccounts,
    OrganizationCache,
    OrganizationSpec,
)

SPEC = OrganizationSpec("acme", "mgmt", "Admin")
FOUND = OrganizationAccounts(
    spec_name="acme",
    source_profile="mgmt",
    management_account_id="111111111111",
    fetched_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    accounts=(("222222222222", "dev"), ("333333333333", "prod")),
    partition="aws-us-gov",
)


@pytest.fixture
def cache(tmp_path: Path) -> OrganizationCache:
    return OrganizationCache(tmp_path / "cache")


def test_round_trip_in_a_private_file(cache: OrganizationCache) -> None:
    assert cache.load(SPEC) is None
    assert cache.save(FOUND)
    path = cache.path(SPEC)
    assert path.parent == cache.folder
    assert path.name.startswith(CACHE_PREFIX) and path.suffix == ".json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
    assert cache.load(SPEC) == FOUND


def test_the_default_folder_is_roleswitchs_cache(home, monkeypatch) -> None:
    monkeypatch.setenv("ROLESWITCH_CACHE_DIR", str(home.root / "c"))
    assert OrganizationCache().path(SPEC).parent == home.root / "c"


def test_each_organisation_and_source_has_its_own_file(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    other_source = OrganizationSpec("acme", "other", "Admin")
    other_name = OrganizationSpec("corp", "mgmt", "Admin")
    assert len({cache.path(SPEC), cache.path(other_source), cache.path(other_name)}) == 3
    assert cache.load(other_source) is None and cache.load(other_name) is None
    # The role is not part of what was found: a changed role_name keeps the cache.
    assert cache.load(OrganizationSpec("acme", "mgmt", "ReadOnly")) == FOUND


def test_a_symlinked_cache_file_is_ignored(cache: OrganizationCache, tmp_path: Path) -> None:
    cache.save(FOUND)
    real = tmp_path / "elsewhere.json"
    cache.path(SPEC).rename(real)
    cache.path(SPEC).symlink_to(real)
    assert cache.load(SPEC) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_another_users_file_is_ignored(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    os.chown(cache.path(SPEC), 4242, 4242)
    assert cache.load(SPEC) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_another_users_folder_is_ignored_and_not_written(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    os.chown(cache.folder, 4242, 4242)
    assert cache.load(SPEC) is None
    before = cache.path(SPEC).read_bytes()
    assert not cache.save(FOUND.__class__(**{**_fields(FOUND), "accounts": ()}))
    assert cache.path(SPEC).read_bytes() == before


def test_a_file_others_may_write_is_ignored(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    cache.path(SPEC).chmod(0o666)
    assert cache.load(SPEC) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="planting another user's file needs root")
def test_a_world_writable_folder_is_closed_and_what_others_planted_is_dropped(
    cache: OrganizationCache,
) -> None:
    cache.folder.mkdir(mode=0o700)
    cache.folder.chmod(0o777)
    planted = cache.path(SPEC)
    planted.write_text(json.dumps(_saved()))
    planted.chmod(0o600)
    os.chown(planted, 4242, 4242)
    assert cache.load(SPEC) is None
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
    assert not planted.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"format": 2},
        {"name": "corp"},
        {"source_profile": "other"},
        {"accounts": [{"id": "12", "name": "short id"}]},
        {"accounts": "none"},
        {"partition": "aws\nx"},
        {"fetched_at": "yesterday"},
        {"management_account_id": None},
        {"management_account_id": "../../x"},
    ],
)
def test_a_file_not_as_written_is_ignored(cache: OrganizationCache, change: dict) -> None:
    cache.save(FOUND)
    document = {**_saved(), **change}
    if change.get("management_account_id", "") is None:
        del document["management_account_id"]
    cache.path(SPEC).write_text(json.dumps(document))
    assert cache.load(SPEC) is None


def test_a_file_that_is_not_json_is_ignored(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    cache.path(SPEC).write_text("{not json")
    assert cache.load(SPEC) is None


def test_account_names_lose_control_characters(cache: OrganizationCache) -> None:
    cache.save(FOUND)
    document = {**_saved(), "accounts": [{"id": "222222222222", "name": "dev\x1b[31m\nx"}]}
    cache.path(SPEC).write_text(json.dumps(document))
    loaded = cache.load(SPEC)
    assert loaded is not None and loaded.accounts == (("222222222222", "dev [31m x"),)


def test_repr_shows_the_folder_only(cache: OrganizationCache) -> None:
    assert repr(cache) == f"OrganizationCache({str(cache.folder)!r})"


def _fields(found: OrganizationAccounts) -> dict:
    return {name: getattr(found, name) for name in found.__slots__}  # type: ignore[attr-defined]


def _saved() -> dict:
    """The document `save` writes for FOUND, read back from a cache of its own."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        cache = OrganizationCache(Path(folder) / "c")
        cache.save(FOUND)
        return json.loads(cache.path(SPEC).read_text())
