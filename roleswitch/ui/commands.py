"""Command palette entries for every valid target: "assume: TARGET" and
"sdk profile: TARGET" (write a credential_process profile for it); with an
active session, "console URL: copy" (the console sign-in URL to the clipboard); and
for each SSO session, "sign in: SESSION" and "refresh accounts: SESSION"; for each
organisation of `[[discover.organizations]]`, "refresh accounts: NAME"."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp

DISCOVER_LIMIT = 50


class AssumeCommands(Provider):
    @property
    def roleswitch(self) -> RoleswitchApp:
        """The app, typed: this provider only ever runs inside roleswitch's."""
        return self.app  # type: ignore[return-value]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        app = self.roleswitch
        copy_url = "console URL: copy"
        if app.session is not None and app.services.console is not None and matcher.match(copy_url) > 0:
            yield Hit(
                matcher.match(copy_url),
                matcher.highlight(copy_url),
                app.copy_console_url,
                text=copy_url,
                help="the active session's console sign-in URL to the clipboard (valid 15 minutes)",
            )
        if app.services.sso is not None:
            for status in app.sso_key.statuses:
                entries_sso = (
                    ("sign in", app.sso_key.sign_in, "sign in to this IAM Identity Center session"),
                    ("refresh accounts", app.sso_key.discover, "list this SSO session's accounts again"),
                )
                for verb, act, help_text in entries_sso:
                    text = f"{verb}: {status.name}"
                    score = matcher.match(text)
                    if score > 0:
                        run = partial(act, status.name)
                        yield Hit(score, matcher.highlight(text), run, text=text, help=help_text)
        for name in app.organization_refresh.names:
            text = f"refresh accounts: {name}"
            score = matcher.match(text)
            if score > 0:
                run = partial(app.organization_refresh.refresh, name)
                help_text = "list this organisation's accounts again"
                yield Hit(score, matcher.highlight(text), run, text=text, help=help_text)
        for target in app.catalogue.targets:
            if not target.valid:
                continue
            entries = (
                ("assume", app.assume_by_name, f"{target.role_arn} via {target.source_label}"),
                ("sdk profile", app.write_sdk_profile, "write a credential_process profile to ~/.aws/config"),
            )
            for verb, action, help_text in entries:
                text = f"{verb}: {target.name}"
                score = matcher.match(text)
                if score > 0:
                    yield Hit(
                        score,
                        matcher.highlight(text),
                        partial(action, target.name),
                        text=text,
                        help=help_text,
                    )

    async def discover(self) -> Hits:
        targets = [t for t in self.roleswitch.catalogue.targets if t.valid][:DISCOVER_LIMIT]
        for target in targets:
            yield DiscoveryHit(
                f"assume: {target.name}",
                partial(self.roleswitch.assume_by_name, target.name),
                help=target.role_arn,
            )
