"""Wire the real services into the app and run it."""

from __future__ import annotations

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.clock import SystemClock
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.settings_store import save_setting
from roleswitch.core.sts import StsClient
from roleswitch.ui.app import RoleswitchApp, Services


def real_services() -> Services:
    return Services(
        load_catalogue=load_catalogue,
        sts=StsClient(),
        credentials=CredentialsFile(),
        clock=SystemClock(),
        save_setting=save_setting,
    )


def launch(badge: str = "") -> int:
    app = RoleswitchApp(real_services(), badge=badge)
    app.run()
    return app.return_code or 0
