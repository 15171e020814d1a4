"""Regenerate every screenshot in this folder from the demo scenario.

    python screenshots/generate.py [--out FOLDER] [--only NAME,NAME]

`--out` writes elsewhere (to look at a change without touching the repository's
screenshots), `--only` takes just the named shots. It starts the demo sandbox
(moto's STS on 127.0.0.1), drives the real app headless at a fixed size, freezes
the clock at chosen moments before the session's expiry, and saves SVGs with
Textual's own screenshot support. It then checks that none of them contains the
sandbox's secret keys or session tokens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from roleswitch.core.clock import FrozenClock, SystemClock  # noqa: E402
from roleswitch.core.credentials_file import CredentialsFile  # noqa: E402
from roleswitch.demo import DemoSandbox  # noqa: E402
from roleswitch.ui.app import RoleswitchApp  # noqa: E402
from roleswitch.ui.launch import real_services  # noqa: E402

SIZE = (120, 32)
BADGE = "DEMO · local AWS"
OUT = HERE  # where the shots go (--out)
ONLY: set[str] = set()  # the shots to take (--only); empty: all
# Profiles the sessions shot writes next to [default]; cleared before each shot.
OTHER_PROFILES = ("staging", "sandbox")


async def settle(app, pilot) -> None:
    for _ in range(200):
        await pilot.pause(0.05)
        if app.busy is None and not any(w.is_running for w in app.workers):
            break
    await pilot.pause(0.1)


async def shoot(name: str, steps, *, left: int | None = None, keep_notes: bool = True, approve=None) -> None:
    """Run `steps` in a fresh app; optionally freeze the clock `left` seconds before expiry."""
    if ONLY and name not in ONLY:
        return
    for profile in ("default", *OTHER_PROFILES):
        CredentialsFile().clear(profile)
    services = real_services(approve)
    clock = FrozenClock(SystemClock().now().replace(microsecond=0))
    services.clock = clock
    app = RoleswitchApp(services, badge=BADGE)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        await steps(app, pilot)
        if left is not None and app.session is not None:
            if not keep_notes:
                app.clear_notifications()
            clock.set(app.session.expiration.replace(microsecond=0) - timedelta(seconds=left))
            app.tick()
        await pilot.pause(0.3)
        app.save_screenshot(f"{name}.svg", path=str(OUT))
    print(f"wrote {OUT / name}.svg")


async def confirming(app, pilot) -> None:
    """Answer yes when the Enter just pressed asks first (the demo's production is
    confirm-gated): the shot shows what follows the question."""
    from roleswitch.ui.screens.confirm import ConfirmScreen

    await pilot.pause(0.2)
    if isinstance(app.screen, ConfirmScreen):
        await pilot.press("y")
        await pilot.pause(0.2)


def typing(*keys: str, enter: bool = False, code: str | None = None, confirm: bool = True):
    """Type `keys`; with `enter`, assume (yes to a production question unless not
    `confirm`, then the MFA `code` if given) and wait for it."""

    async def steps(app, pilot):
        await pilot.press(*keys)
        if enter:
            await pilot.press("enter")
            if not confirm:
                await pilot.pause(0.3)
                return
            await confirming(app, pilot)
            if code:
                await pilot.press(*code, "enter")
            await settle(app, pilot)

    return steps


async def clear_filter(app, pilot) -> None:
    app.filter_input.value = ""
    await pilot.pause()


def asking_code(*keys: str):
    """Type `keys` and Enter (yes to a production question): the MFA dialog asks."""

    async def steps(app, pilot):
        await pilot.press(*keys, "enter")
        await confirming(app, pilot)

    return steps


def three_sessions():
    """production/ReadOnly in [default] (after its question), staging/Deploy into
    [staging] with ctrl+y, sandbox/Admin into [sandbox] (its own `profile`), then ctrl+t."""

    async def steps(app, pilot):
        await pilot.press(*"prod readonly", "enter")
        await confirming(app, pilot)
        await settle(app, pilot)
        await clear_filter(app, pilot)
        await pilot.press(*"stg deploy", "ctrl+y")
        await pilot.pause(0.2)
        await pilot.press("ctrl+u", *"staging")  # the prompt's box: replace the default name
        await pilot.pause(0.4)  # its credentials-file check
        await pilot.press("enter")
        await settle(app, pilot)
        await clear_filter(app, pilot)
        await pilot.press(*"sandbox admin", "enter")
        await settle(app, pilot)
        await clear_filter(app, pilot)
        app.clear_notifications()
        await pilot.press("ctrl+t", "down")  # off the production row, so its colour shows
        await pilot.pause(0.3)

    return steps


def console_for(*keys: str):
    async def steps(app, pilot):
        await pilot.press(*keys, "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        await pilot.pause(0.5)

    return steps


def signing_in(*then: str):
    """ctrl+n once the app has read the SSO sessions (0.3 s after its first frame); with
    `then`, approve with the demo key, wait for discovery, and type `then`."""

    async def steps(app, pilot):
        await pilot.pause(0.6)
        await pilot.press("ctrl+n")
        await pilot.pause(0.5)
        if then:
            await pilot.press("a")
            for _ in range(100):
                await pilot.pause(0.1)
                if app.catalogue.find("roleswitch-demo/Data-Platform/DataEngineer") is not None:
                    break
            await settle(app, pilot)
            app.clear_notifications()
            await pilot.press(*then)
            await settle(app, pilot)

    return steps


async def main() -> None:
    secrets: set[str] = set()
    with DemoSandbox() as sandbox:
        credentials = sandbox.aws_folder / "credentials"

        def collect() -> None:
            text = credentials.read_text() if credentials.exists() else ""
            secrets.update(re.findall(r"(?:aws_secret_access_key|aws_session_token) = (\S+)", text))
            for entry in (sandbox.folder / ".cache" / "roleswitch").glob("[mr]*-*.json"):
                data = json.loads(entry.read_text())
                secrets.update((data["SecretAccessKey"], data["SessionToken"]))
            for entry in (sandbox.aws_folder / "sso" / "cache").glob("*.json"):  # the sign-in's tokens
                data = json.loads(entry.read_text())
                secrets.update(data.get(key) for key in ("accessToken", "refreshToken", "clientSecret"))
            secrets.discard(None)

        # The organisation of the demo's [[discover.organizations]] is listed before the
        # shots, as after any earlier start: no shot shows the app listing it.
        from roleswitch.core.organizations import (
            OrganizationCache,
            discover_organization,
            load_organization_specs,
        )

        for spec in load_organization_specs()[0]:
            OrganizationCache().save(discover_organization(spec))
        await shoot("list", typing())
        await shoot("filtered", typing(*"prod"))
        await shoot("mfa", asking_code(*"glass"))
        await shoot("error", typing(*"auditor", enter=True))
        await shoot("active", typing(*"prod admin", enter=True), left=42 * 60 + 10)
        collect()
        await shoot("expiring", typing(*"stg deploy", enter=True), left=95)
        collect()
        await shoot("expired", typing(*"dev developer", enter=True), left=-200, keep_notes=False)
        collect()
        await shoot("mfa-session", typing(*"glass", enter=True, code="123456"), left=9 * 60 + 30)
        collect()
        # ctrl+b with a browser command that only records: the demo's local federation
        # endpoint signs in, and nothing needs a desktop to show what the person sees.
        from roleswitch.core.settings_store import save_setting

        stand_in = sandbox.folder / "bin" / "firefox"  # records nothing, opens nothing
        stand_in.parent.mkdir(exist_ok=True)
        stand_in.write_text("#!/bin/sh\nexit 0\n")
        stand_in.chmod(0o755)
        save_setting("browser", f"{stand_in} 'ext+container:name={{container}}&color={{colour}}&url={{url}}'")
        await shoot("console", console_for(*"stg deploy"))
        collect()
        await shoot("sso-login", signing_in(), approve=sandbox.approve_device)
        await shoot(
            "sso-discovered",
            signing_in(*"data engineer", "enter"),
            approve=sandbox.approve_device,
            left=47 * 60 + 5,
        )
        collect()
        await shoot("organization", typing(*"org/"))
        await shoot("production-confirm", typing(*"prod admin", enter=True, confirm=False))
        # Three live sessions, one of them production, the clock 23 minutes on.
        await shoot("sessions", three_sessions(), left=37 * 60 + 12)
        collect()
        for profile in OTHER_PROFILES:
            CredentialsFile().clear(profile)
    for svg in OUT.glob("*.svg"):
        text = svg.read_text()
        leaked = [s for s in secrets if s in text]
        if leaked:
            raise SystemExit(f"{svg.name} contains a secret; not keeping it")
    print(f"checked {len(list(OUT.glob('*.svg')))} screenshots for {len(secrets)} secrets: none found")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Regenerate the screenshots from the demo scenario.")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the SVGs (default: this one)")
    parser.add_argument("--only", default="", help="comma-separated shot names (default: every shot)")
    arguments = parser.parse_args()
    OUT = arguments.out.resolve()
    OUT.mkdir(parents=True, exist_ok=True)
    ONLY = {name for name in arguments.only.split(",") if name}
    os.environ["TZ"] = "UTC"  # local times on screen do not depend on who regenerates
    time.tzset()
    asyncio.run(main())
