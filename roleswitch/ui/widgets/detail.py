"""The detail pane: everything about the highlighted target, and its live session.

Secrets never reach this widget: it is given an `ActiveSession`, which holds
only the access key id (shown masked) and never the secret key or token.

The pane lays its lines out for the size it has: long values (ARNs, paths) fold at
`/`, `:` and spaces under their own column, never mid-word, and when the pane is
short (a small terminal) the less important lines give way, so the role, its ARN
and when the session expires stay on screen.
"""

from __future__ import annotations

import re

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from roleswitch.core.clock import format_local, format_span
from roleswitch.core.credentials_file import format_expiration
from roleswitch.core.model import ActiveSession, Settings, Target
from roleswitch.ui.widgets.session_bar import environment_style

_ORIGIN = {"aws-config": "AWS config profile", "roleswitch": "roleswitch config"}
LABEL = 13  # width of the label column

# Ranks: 0 always stays; when the pane is short, the highest rank goes first.
ALWAYS, IDENTITY, USEFUL, DETAIL, EXTRA, REPEAT, SPACE = range(7)

# Where a long value may fold: after `/` or `:`, or at a space, except before a number
# (`line 18` stays whole).
_FOLD_POINTS = re.compile(r"(?<=[/:])|(?<= )(?!\d)")


def mask_text(value: str) -> str:
    """`pa…42`: recognisable, not usable."""
    return "•" * len(value) if len(value) <= 4 else f"{value[:2]}…{value[-2:]}"


def fold(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells, folded at `/`, `:` or spaces; a piece
    longer than a whole line (nothing to fold at) is cut where it must be."""
    width = max(width, 1)
    if len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for piece in _FOLD_POINTS.split(text):
        if len((line + piece).rstrip(" ")) <= width:
            line += piece
            continue
        if line.strip():
            lines.append(line.rstrip(" "))
        while len(piece.rstrip(" ")) > width:
            lines.append(piece[:width])
            piece = piece[width:]
        line = piece
    if line.strip():
        lines.append(line.rstrip(" "))
    return lines


class DetailPane(Widget):
    """Key/value lines for one target; repainted only when the highlight, session or size changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Target | None, Settings | None, ActiveSession | None] = (None, None, None)
        self._sign_in: str | None = None

    def show(
        self,
        target: Target | None,
        settings: Settings,
        session: ActiveSession | None,
        sign_in: str | None = None,
    ) -> None:
        """`sign_in`: for an IAM Identity Center role, where its session's sign-in stands."""
        # The pane's size is set by the stylesheet, not by what it says: a repaint, never
        # a layout, so moving between roles while typing costs one widget's lines.
        self._shown = (target, settings, session)
        self._sign_in = sign_in
        self.refresh()

    def render(self) -> RenderResult:
        size = self.content_size
        if not size:
            return Content("")  # not laid out yet
        blocks = self._blocks(size.width)
        return Content("\n").join(line for _rank, lines in _fit(blocks, size.height) for line in lines)

    def _blocks(self, width: int) -> list[tuple[int, list[Content]]]:
        """Every line the pane would show with room enough, each with its rank."""
        target, settings, session = self._shown
        if target is None or settings is None:
            return [(ALWAYS, [Content.styled("Nothing highlighted.", "dim")])]
        account = target.account_label + (f" ({target.account_id})" if target.account_name else "")
        blocks: list[tuple[int, list[Content]]] = [
            (ALWAYS, _text(target.role_name, width, "bold")),
            (IDENTITY, _text(f"{target.name} · {account}", width, "dim")),
            (SPACE, [Content("")]),
        ]
        if not target.valid:
            where = f"{target.file}, line {target.line}" if target.line else target.file
            blocks += [
                (ALWAYS, _row("Problem", target.problem or "", width)),
                (IDENTITY, _row("Defined in", where, width)),
            ]
            return blocks
        blocks += _issue15_blocks(target, settings, width)
        if target.is_sso:
            # Not a role ARN: the portal's role is AWSReservedSSO_<set>_<suffix> under a path
            # roleswitch cannot know, so an ARN made up here would be wrong to copy.
            blocks += [
                (IDENTITY, _row("Role", f"{target.role_name} (a permission set)", width)),
                (USEFUL, _row("Source", f"IAM Identity Center session {target.sso_session}", width)),
                (ALWAYS, _row("Sign-in", self._sign_in or "not known yet", width)),
                (USEFUL, _row("Region", target.region or "us-east-1 (default)", width)),
                (DETAIL, _row("Duration", "set by the permission set", width)),
            ]
            return blocks + self._session_blocks(target, session, width)
        duration = target.duration_seconds or settings.duration_seconds
        blocks += [
            (IDENTITY, _row("Role ARN", target.role_arn, width)),
            (USEFUL, _row("Source", target.source_label, width)),
            (USEFUL, _row("Region", target.region or "from source, else us-east-1", width)),
            (DETAIL, _row("Duration", format_span(duration), width)),
            (USEFUL, _row("MFA serial", target.mfa_serial or "none", width)),
            (
                EXTRA,
                _row("External id", mask_text(target.external_id) if target.external_id else "none", width),
            ),
            (
                EXTRA,
                _row("Session name", target.session_name or settings.session_name or "your user name", width),
            ),
            (EXTRA, _row("Defined in", _ORIGIN.get(target.origin, target.origin), width)),
        ]
        if self._sign_in is not None:  # a role chained from an SSO role: that sign-in counts too
            blocks.append((USEFUL, _row("SSO sign-in", self._sign_in, width)))
        return blocks + self._session_blocks(target, session, width)

    @staticmethod
    def _session_blocks(
        target: Target, session: ActiveSession | None, width: int
    ) -> list[tuple[int, list[Content]]]:
        blocks: list[tuple[int, list[Content]]] = []
        if session is not None and session.target_name == target.name:
            blocks += [
                (SPACE, [Content("")]),
                (ALWAYS, _text(f"Active session in [{session.profile}]", width, "bold")),
            ]
            if not target.is_sso:  # the portal names no session ARN (see the Role row)
                blocks.append((DETAIL, _row("Assumed ARN", session.assumed_arn or "?", width)))
            blocks.append((DETAIL, _row("Access key", session.masked_key or "?", width)))
            if session.region:
                blocks.append((USEFUL, _row("Region", session.region, width)))
            if session.expiration is not None:
                blocks.append((ALWAYS, _row("Expires", format_local(session.expiration), width)))
                if session.expiration.astimezone().utcoffset():  # local time is not UTC: both
                    blocks.append((REPEAT, _row("", format_expiration(session.expiration) + " (UTC)", width)))
        return blocks


def _issue15_blocks(target: Target, settings: Settings, width: int) -> list[tuple[int, list[Content]]]:
    """The target's environment (named, in its colour, and whether it asks first), tags and
    the profile it always goes to; nothing for a target with none of them."""
    blocks: list[tuple[int, list[Content]]] = []
    if target.environment:
        found = settings.environments.get(target.environment)
        said = target.environment + (" (asks before assume and renew)" if found and found.confirm else "")
        style = environment_style(found.colour) if found and found.colour else "bold"
        first, *rest = _row("Environment", said, width)
        name = Content.styled(target.environment, style)
        first = Content.assemble(
            (f"{'Environment':<{LABEL}}", "dim"), name, first.plain[LABEL + len(target.environment) :]
        )
        blocks.append((IDENTITY, [first, *rest]))
    if target.tags:
        blocks.append((DETAIL, _row("Tags", ", ".join(target.tags), width)))
    if target.profile:
        blocks.append((USEFUL, _row("Profile", f"[{target.profile}] (Enter assumes into it)", width)))
    return blocks


def _fit(blocks: list[tuple[int, list[Content]]], height: int) -> list[tuple[int, list[Content]]]:
    """Drop the least important blocks (the last of the highest rank first) until the rest
    fit in `height` lines; rank ALWAYS is never dropped."""
    kept = list(blocks)
    used = sum(len(lines) for _rank, lines in kept)
    while used > height:
        worst = max(range(len(kept)), key=lambda i: (kept[i][0], i))
        if kept[worst][0] == ALWAYS:
            break
        used -= len(kept.pop(worst)[1])
    return kept


def _text(text: str, width: int, style: str) -> list[Content]:
    return [Content.styled(line, style) for line in fold(text, width)]


def _row(label: str, value: str, width: int) -> list[Content]:
    """`Label        value`, the value folded under its own column."""
    first, *rest = fold(value, width - LABEL) if width > LABEL + 8 else [value]
    return [Content.assemble((f"{label:<{LABEL}}", "dim"), first)] + [
        Content(" " * LABEL + line) for line in rest
    ]
