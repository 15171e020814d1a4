"""An organisation in moto's server (tests/conftest.py's `moto` fixture), reached by boto3
only through AWS_ENDPOINT_URL_ORGANIZATIONS, and a `mgmt` profile holding keys of its
management account."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.conftest import Home, Moto

MANAGEMENT_KEYS = ("AKIAIOSFODNN7EXAMPLE", "management-secret")


@dataclass
class Organization:
    """moto's organisation, as the management account sees it."""

    moto: Moto
    management_account_id: str = ""
    accounts: dict[str, str] = field(default_factory=dict)  # name -> id, in creation order

    def client(self, keys: tuple[str, str] = MANAGEMENT_KEYS):
        import boto3

        return boto3.client(
            "organizations",
            endpoint_url=self.moto.url,
            region_name="us-east-1",
            aws_access_key_id=keys[0],
            aws_secret_access_key=keys[1],
        )

    def create(self) -> None:
        answer = self.client().create_organization(FeatureSet="ALL")
        self.management_account_id = answer["Organization"]["MasterAccountId"]

    def add(self, *names: str) -> list[str]:
        ids = []
        client = self.client()
        for name in names:
            status = client.create_account(AccountName=name, Email=f"{len(self.accounts)}@example.com")
            account_id = status["CreateAccountStatus"]["AccountId"]
            self.accounts[name] = account_id
            ids.append(account_id)
        return ids

    def close(self, name: str) -> None:
        self.client().close_account(AccountId=self.accounts[name])


def source_profile(home: Home, name: str = "mgmt", keys: tuple[str, str] = MANAGEMENT_KEYS) -> None:
    """A profile with static keys in the credentials file (appended)."""
    before = home.credentials.read_text() if home.credentials.exists() else ""
    home.write(
        home.config.read_text() if home.config.exists() else "",
        credentials=before + f"[{name}]\naws_access_key_id = {keys[0]}\naws_secret_access_key = {keys[1]}\n",
    )


@pytest.fixture
def organization(moto: Moto, home: Home, monkeypatch: pytest.MonkeyPatch) -> Iterator[Organization]:
    """An empty organisation (no member yet) and the `mgmt` profile of its management account."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", moto.url)
    monkeypatch.setenv("ROLESWITCH_CACHE_DIR", str(home.root / ".cache" / "roleswitch"))
    org = Organization(moto)
    org.create()
    source_profile(home)
    yield org
