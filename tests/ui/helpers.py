"""Building blocks for app tests: a scripted STS service, a frozen clock, a sandbox config.

The STS stand-in is injected through `Services` (the app's seam for tests); it
never touches boto3. Tests that need the real wire protocol use `StsClient`
against moto's server instead.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.clock import FrozenClock
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import AssumeError
from roleswitch.core.mfa_sessions import MfaSessionStore, forget_cached_credentials
from roleswitch.core.model import AssumeResult, Credentials, Settings, Target
from roleswitch.core.sdk_profiles import SdkProfiles
from roleswitch.core.settings_store import save_setting
from roleswitch.ui.app import RoleswitchApp, Services

T0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
SECRET = "wJalrXUtnFEMI-TEST-SECRET-NEVER-ON-SCREEN"
TOKEN = "FQoGZXIvYXdzTEST-SESSION-TOKEN-NEVER-ON-SCREEN"

CONFIG = """\
[profile corp]
region = eu-west-1

[profile legacy-admin]
role_arn = arn:aws:iam::333333333333:role/LegacyAdmin
source_profile = corp

[profile broken]
role_arn = arn:aws:iam::bad
source_profile = corp
"""
CREDENTIALS = """\
# personal keys, keep this comment
[corp]
aws_access_key_id = AKIAEXAMPLECORP00001
aws_secret_access_key = corp-long-term-secret
"""
TOML = """\
[settings]
active_profile = "default"
renew_margin = "10m"

[accounts.prod]
id = "111111111111"
name = "Production"
source_profile = "corp"
region = "eu-west-1"

[[accounts.prod.roles]]
name = "Admin"

[[accounts.prod.roles]]
name = "BreakGlass"
mfa_serial = "arn:aws:iam::111111111111:mfa/alice"

[accounts.staging]
id = "222222222222"
name = "Staging"
source_profile = "corp"

[[accounts.staging.roles]]
name = "ReadOnly"

[[accounts.staging.roles]]
name = "Deploy"
external_id = "ci-external-42"
"""


class ScriptedSts:
    """Returns fresh credentials valid for an hour from the clock, or raises what it is told.

    MFA roles behave like `StsClient` with an MFA session store: a code starts a
    12-hour session in `mfa_sessions`, and no code needs an open session.
    """

    def __init__(self, clock: FrozenClock, mfa_sessions: MfaSessionStore | None = None) -> None:
        self.clock = clock
        self.mfa_sessions = mfa_sessions or MfaSessionStore()
        self.calls: list[tuple[str, str | None]] = []
        self.fail_with: AssumeError | None = None
        self.gate: threading.Event | None = None

    def assume(self, target: Target, *, settings: Settings | None = None, mfa_code: str | None = None):
        self.calls.append((target.name, mfa_code))
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail_with is not None:
            raise self.fail_with
        n = len(self.calls)
        if target.needs_mfa:
            if mfa_code is not None:
                self.mfa_sessions.save(
                    target, self._credentials(f"MFA{n:06d}", f"mfa{n}", timedelta(hours=12))
                )
            elif not self.mfa_sessions.usable(target, self.clock.now()):
                raise AssumeError(f"{target.name} needs an MFA code.", code="mfa-required")
        return AssumeResult(
            target=target,
            credentials=self._credentials(f"{n:09d}", str(n), timedelta(hours=1)),
            assumed_arn=f"arn:aws:sts::{target.account_id}:assumed-role/{target.role_name}/alice",
            region=target.region or "us-east-1",
        )

    def _credentials(self, key: str, tag: str, lasting: timedelta) -> Credentials:
        return Credentials(
            access_key_id=f"ASIATESTKEY{key}",
            secret_access_key=f"{SECRET}-{tag}",
            session_token=f"{TOKEN}-{tag}",
            expiration=self.clock.now() + lasting,
        )


def write_sandbox(home, *, credentials: str = CREDENTIALS, toml: str = TOML) -> None:
    home.write(config=CONFIG, credentials=credentials, toml=toml)


def make_app(home, *, sts=None, clock: FrozenClock | None = None, badge: str = ""):
    clock = clock or FrozenClock(T0)
    sts = sts or ScriptedSts(clock)
    services = Services(
        load_catalogue=load_catalogue,
        sts=sts,
        credentials=CredentialsFile(),
        clock=clock,
        save_setting=save_setting,
        mfa_sessions=MfaSessionStore(),
        sdk_profiles=SdkProfiles(),
        logout=forget_cached_credentials,
    )
    app = RoleswitchApp(services, badge=badge)
    return app, sts, clock


async def settle(app, pilot) -> None:
    """Wait for background jobs (STS, file writes) and the messages they post."""
    for _ in range(300):
        await pilot.pause()
        idle = not getattr(app, "jobs_running", 0) and not getattr(app, "clearing", False)
        if idle and app.busy is None and not any(w.is_running for w in app.workers):
            break
        time.sleep(0.01)
    await pilot.pause()


def notes(app) -> list[str]:
    return [n.message for n in app._notifications]
