"""Wire the real services into the app and run it."""

from __future__ import annotations

from roleswitch.core.catalogue_cache import load_catalogue_cached
from roleswitch.core.clock import SystemClock
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.mfa_sessions import MfaSessionStore, forget_cached_credentials
from roleswitch.core.sdk_profiles import SdkProfiles
from roleswitch.core.settings_store import save_setting
from roleswitch.core.sts import StsClient
from roleswitch.ui.app import RoleswitchApp, Services


def real_services() -> Services:
    mfa_sessions = MfaSessionStore()
    return Services(
        load_catalogue=load_catalogue_cached,
        sts=StsClient(mfa_sessions=mfa_sessions),
        credentials=CredentialsFile(),
        clock=SystemClock(),
        save_setting=save_setting,
        mfa_sessions=mfa_sessions,
        sdk_profiles=SdkProfiles(),
        logout=forget_cached_credentials,
    )


def build_app(badge: str = "") -> RoleswitchApp:
    """The app as `roleswitch` runs it (the benchmarks start it the same way)."""
    return RoleswitchApp(real_services(), badge=badge, freeze_gc=True)


def launch(badge: str = "") -> int:
    app = build_app(badge)
    app.run()
    return app.return_code or 0
