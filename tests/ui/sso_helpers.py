"""A scripted IAM Identity Center service for app tests, and discovered SSO targets.

The stand-in is injected through `Services.sso` (the app's seam), like `ScriptedSts`:
it never touches boto3. test_sso_real.py drives the real service against the local
Identity Center instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.clock import FrozenClock
from roleswitch.core.model import Catalogue, Target
from roleswitch.core.sso.errors import SsoError
from roleswitch.core.sso.status import SessionStatus
from tests.ui.helpers import T0, make_app

USER_CODE = "WXYZ-BCDF"
URI = "https://device.sso.eu-west-1.amazonaws.com/"
COMPLETE = f"{URI}?user_code={USER_CODE}"
ACCESS_TOKEN = "aoaTEST-ACCESS-TOKEN-NEVER-ON-SCREEN"


def sso_target(session: str, account: str, account_id: str, role: str) -> Target:
    return Target(
        name=f"{session}/{account}/{role}",
        origin="sso",
        role_arn=f"arn:aws:iam::{account_id}:role/{role}",
        account_id=account_id,
        role_name=role,
        account_name=account,
        sso_session=session,
    )


FIRST_FOUND = [
    sso_target("corp", "Development", "333333333333", "AdministratorAccess"),
    sso_target("corp", "Development", "333333333333", "PowerUserAccess"),
]
LATER_FOUND = [sso_target("corp", "Security", "444444444444", "SecurityAudit")]


class FakeIdentityCenter:
    """Sessions with scripted sign-ins and discoveries.

    `sign_in` shows a code, then waits until the test calls `decide("approve" | "deny" |
    "expire" | "unreachable")` or the app cancels; `discover` adds `found` to the
    catalogue (see `catalogue`), waiting on `discover_gate` when one is set.
    """

    def __init__(self, clock: FrozenClock, sessions: dict[str, timedelta | None] | None = None) -> None:
        self.clock = clock
        self.approve_device = None
        self._status: dict[str, SessionStatus] = {}
        for name, left in (sessions if sessions is not None else {"corp": None}).items():
            expires = clock.now() + left if left is not None else None
            self._status[name] = SessionStatus(name, expires, False, None)
        self.sign_ins: list[str] = []
        self.cancelled_at: float | None = None
        self.decided = threading.Event()
        self.decision = ""
        self.discovered: list[str] = []
        self.discover_gate: threading.Event | None = None
        self.discover_fails: str | None = None
        self.found: list[Target] = list(FIRST_FOUND)
        self.listed: list[Target] = []  # what the catalogue holds beyond the sandbox's
        self.statuses_read = 0

    # --- the service --------------------------------------------------------------------

    def statuses(self) -> list[SessionStatus]:
        self.statuses_read += 1
        return list(self._status.values())

    def sign_in(self, session, show, cancel) -> datetime:
        self.sign_ins.append(session)
        show(USER_CODE, URI, COMPLETE, 600)
        while not self.decided.wait(0.01):
            if cancel():
                self.cancelled_at = time.monotonic()
                raise SsoError("Sign-in cancelled; nothing was written.", code="cancelled")
        decision = self.decision
        if decision == "deny":
            raise SsoError("The sign-in was denied in the browser; nothing was written.", code="denied")
        if decision == "expire":
            raise SsoError(
                "The sign-in code expired before it was approved; run roleswitch login again.", code="expired"
            )
        if decision == "unreachable":
            raise SsoError(
                "IAM Identity Center (sso-oidc) could not be reached; check the network and try again.",
                code="no-connection",
            )
        expires = self.clock.now() + timedelta(hours=8)
        self._status[session] = replace(self._status[session], expires_at=expires)
        return expires

    def discover(self, session, progress) -> tuple[int, int]:
        self.discovered.append(session)
        progress("1 of 2+ accounts")
        if self.discover_gate is not None:
            self.discover_gate.wait(10)
        if self.discover_fails is not None:
            raise SsoError(self.discover_fails, code="no-connection")
        progress("2 of 2 accounts")
        self.listed = list(self.found)
        self._status[session] = replace(self._status[session], discovered_at=self.clock.now())
        return len({t.account_id for t in self.found}), len(self.found)

    # --- for the test ---------------------------------------------------------------------

    def decide(self, decision: str) -> None:
        self.decision = decision
        self.decided.set()

    def set_status(self, name: str, **changes) -> None:
        self._status[name] = replace(self._status[name], **changes)

    def catalogue(self) -> Catalogue:
        base = load_catalogue()
        return Catalogue(
            targets=base.targets + tuple(self.listed),
            settings=base.settings,
            problems=base.problems,
            account_names=base.account_names,
            sso_configured=bool(self._status),  # as a TOML or config with these sessions says
            organizations_configured=base.organizations_configured,
        )


def make_sso_app(home, *, sessions: dict[str, timedelta | None] | None = None, listed=(), **kwargs):
    """The sandbox app with a FakeIdentityCenter; `listed` targets are in the catalogue from the start."""
    clock = kwargs.pop("clock", None) or FrozenClock(T0)
    sso = FakeIdentityCenter(clock, sessions)
    sso.listed = list(listed)
    app, sts, clock = make_app(home, clock=clock, **kwargs)
    app.services.sso = sso
    app.services.load_catalogue = sso.catalogue
    return app, sts, clock, sso
