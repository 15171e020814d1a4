"""The detail pane: everything about the highlighted target, and its live session.

Secrets never reach this widget: it is given an `ActiveSession`, which holds
only the access key id (shown masked) and never the secret key or token.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from roleswitch.core.clock import format_local, format_span
from roleswitch.core.credentials_file import format_expiration
from roleswitch.core.model import ActiveSession, Settings, Target

_ORIGIN = {"aws-config": "AWS config profile", "roleswitch": "roleswitch config"}


def mask_text(value: str) -> str:
    """`pa…42`: recognisable, not usable."""
    return "•" * len(value) if len(value) <= 4 else f"{value[:2]}…{value[-2:]}"


class DetailPane(Static):
    """Key/value lines for one target; repainted only when the highlight or session changes."""

    _lines = -1

    def show(self, target: Target | None, settings: Settings, session: ActiveSession | None) -> None:
        content = self._content(target, settings, session)
        width = max(1, self.content_size.width)
        lines = sum(max(1, -(-len(line) // width)) for line in content.plain.split("\n"))
        # A layout pass only when the height changes: moving between similar roles
        # while typing must not relayout the whole screen.
        self.update(content, layout=lines != self._lines)
        self._lines = lines

    def _content(self, target: Target | None, settings: Settings, session: ActiveSession | None) -> Content:
        if target is None:
            return Content.styled("Nothing highlighted.", "dim")
        lines: list[Content] = [
            Content.styled(target.role_name, "bold"),
            Content.styled(
                f"{target.name} · {target.account_label}"
                + (f" ({target.account_id})" if target.account_name else ""),
                "dim",
            ),
            Content(""),
        ]
        if not target.valid:
            where = f"{target.file}, line {target.line}" if target.line else target.file
            lines += [
                _row("Problem", target.problem or ""),
                _row("Defined in", where),
            ]
            return Content("\n").join(lines)
        duration = target.duration_seconds or settings.duration_seconds
        lines += [
            _row("Role ARN", target.role_arn),
            _row("Source", target.source_label),
            _row("Region", target.region or "from source, else us-east-1"),
            _row("Duration", format_span(duration)),
            _row("MFA serial", target.mfa_serial or "none"),
            _row("External id", mask_text(target.external_id) if target.external_id else "none"),
            _row("Session name", target.session_name or settings.session_name or "your user name"),
            _row("Defined in", _ORIGIN.get(target.origin, target.origin)),
        ]
        if session is not None and session.target_name == target.name:
            lines += [Content(""), Content.styled(f"Active session in [{session.profile}]", "bold")]
            lines.append(_row("Assumed ARN", session.assumed_arn or "?"))
            lines.append(_row("Access key", session.masked_key or "?"))
            if session.expiration is not None:
                lines.append(_row("Expires", format_local(session.expiration)))
                lines.append(_row("", format_expiration(session.expiration) + " (UTC)"))
        return Content("\n").join(lines)


def _row(label: str, value: str) -> Content:
    return Content.assemble((f"{label:<13}", "dim"), value)
