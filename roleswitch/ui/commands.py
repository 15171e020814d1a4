"""Command palette entries for every valid target: "assume: TARGET" and
"sdk profile: TARGET" (write a credential_process profile for it), and when asked for
by their verb "assume into profile: TARGET" (ctrl+y) and "pin: TARGET" (ctrl+f);
"sessions" (ctrl+t); with an active session, "console URL: copy" (the console sign-in
URL to the clipboard) and "region" (ctrl+g); and
for each SSO session, "sign in: SESSION" and "refresh accounts: SESSION"; for each
organisation of `[[discover.organizations]]`, "refresh accounts: NAME".

A keystroke costs the same with 100 targets or 10,000: the targets are found by
the list's own filter (`TargetFilter`, whose one-character index is built in a
thread when the palette first opens, then kept while the catalogue is the same),
ranked the way the list ranks them, and only the best `HIT_LIMIT` become
entries. Words work as in the list's filter: "assume prod admin" is the verb
(a leading "assume" or "sdk profile", or the start of one) and then terms that
must each match a field of the target; without a verb both are offered.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain, islice
from weakref import WeakKeyDictionary

from textual.app import App
from textual.command import Command, CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.style import Style
from textual.widgets import Button, Input, OptionList

from roleswitch.core.filtering import TargetFilter, match_spans
from roleswitch.core.model import Catalogue, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp

HIT_LIMIT = 20  # entries a keystroke at most: over a screenful (14 at 120x40); each adds work
DISCOVER_LIMIT = HIT_LIMIT  # the empty palette: its first targets, as cheap a keystroke as any
# The verbs of a target's entries, as the words a query may start with.
ASSUME, SDK_PROFILE = ("assume",), ("sdk", "profile")
ASSUME_INTO, PIN = ("assume", "into", "profile"), ("pin",)
VERBS = (ASSUME, SDK_PROFILE, ASSUME_INTO, PIN)
PLAIN_VERBS = (ASSUME, SDK_PROFILE)  # offered for a query without a verb
# Above any score Textual's fuzzy matcher gives its own commands (theme, keys, quit ...) for a
# query of this many characters: roleswitch's entries come first, in the filter's order.
_SCORE_PER_CHARACTER = 8


class OncePalette(CommandPalette):
    """Textual's palette, choosing one command at most, and only among the entries of
    what was typed.

    Keys typed fast arrive in one read (tmux), and Textual's palette acted on them as they
    came: Enter, Enter both reached it before its first choice had closed it, and it
    dismissed again (ScreenStackError, the app gone) or ran a second command; `sessions`
    and Enter together picked an entry of the list still shown for an earlier query (the
    empty palette's first target was assumed, or Textual's keys panel opened). Here a
    choice reaching the palette once it is no longer on top is dropped before Textual's
    handlers see it, and an Enter on entries of an earlier query waits for the entries of
    the typed one (later Enters with it: one choice).
    """

    _searched = ""  # the query of the last search started
    _shown: str | None = None  # the query the list's entries are for
    _enter_waits = False

    def on_input_changed(self, event: Input.Changed) -> None:
        self._searched = event.value.strip()  # not stopped: Textual's handler starts the search
        self._enter_waits = False  # typing on after Enter: the Enter was for what is gone

    def _refresh_command_list(
        self, command_list: CommandList, commands: list[Command], clear_current: bool
    ) -> None:
        super()._refresh_command_list(command_list, commands, clear_current)
        self._shown = self._searched
        if self._enter_waits:
            self.call_later(self._enter_now)

    def _enter_now(self) -> None:
        """The Enter that waited for these entries (once, however many were pressed)."""
        if self._enter_waits and self._shown == self._searched:
            self._enter_waits = False
            if self.is_active:
                self._select_or_command()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.is_active and (self._enter_waits or event.value.strip() != self._shown):
            self._enter_waits = True  # acted on once this query's entries are in the list
        self._drop_unless_open(event, drop=self._enter_waits)

    def _drop_unless_open(
        self, event: Input.Submitted | OptionList.OptionSelected | Button.Pressed, drop: bool = False
    ) -> None:
        if drop or not self.is_active:
            event.stop()
            event.prevent_default()  # Textual's handlers (the base class's) are not called

    on_option_list_option_selected = _drop_unless_open
    on_button_pressed = _drop_unless_open


def open_palette(app: App) -> None:
    """Open the command palette (App.action_command_palette's job) as a `OncePalette`."""
    if app.use_command_palette and not CommandPalette.is_open(app):
        app.push_screen(OncePalette(id="--command-palette"))


@dataclass
class PaletteIndex:
    """The valid targets of one catalogue and the filter over their search texts."""

    catalogue: Catalogue
    targets: list[Target]
    filter: TargetFilter

    @classmethod
    def of(cls, catalogue: Catalogue) -> PaletteIndex:
        targets = [t for t in catalogue.targets if t.valid]
        return cls(catalogue, targets, TargetFilter([t.search_text for t in targets]))

    @classmethod
    def prepared(cls, catalogue: Catalogue) -> PaletteIndex:
        """An index with the filter's one-character index made: for a thread."""
        index = cls.of(catalogue)
        index.filter.prepare()
        return index

    def best(self, terms: tuple[str, ...]) -> Iterator[Target]:
        """The targets matching every term, best first (as the list ranks them)."""
        if not terms:
            return iter(self.targets)
        tiers = self.filter.rank(" ".join(terms))
        return map(self.targets.__getitem__, chain.from_iterable(tiers))


# One index per app, made again when its catalogue is replaced (a reload, a discovery), in
# a thread: the palette's first entries do not wait for it, only a search does.
_INDEXES: WeakKeyDictionary[object, tuple[Catalogue, asyncio.Future[PaletteIndex]]] = WeakKeyDictionary()


def palette_index(app: object, catalogue: Catalogue) -> asyncio.Future[PaletteIndex]:
    """The index of `catalogue`, made (in a thread) or being made; a failed one is made again."""
    made = _INDEXES.get(app)
    if made is not None and made[0] is catalogue:
        future = made[1]
        if not future.done() or (not future.cancelled() and future.exception() is None):
            return future
    future = asyncio.ensure_future(asyncio.to_thread(PaletteIndex.prepared, catalogue))
    _INDEXES[app] = (catalogue, future)
    return future


def split_verb(terms: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...] | None]:
    """(the leading terms naming a verb, that verb) when the query starts with one: each
    term the start of the verb's next word ("a", "assume:", "sdk prof"); else ((), None).
    The verb that takes the most terms wins ("assume into" is not "assume" and a target
    "into"); on a tie, the first of VERBS."""
    best: tuple[tuple[str, ...], tuple[str, ...] | None] = ((), None)
    for verb in VERBS:
        used = 0
        for term, word in zip(terms, verb, strict=False):
            bare = term.rstrip(":")
            if not bare or not word.startswith(bare):
                break
            used += 1
            if bare != word or term.endswith(":"):
                break  # a word cut short (or the colon) ends the verb
        if used > len(best[0]):
            best = terms[:used], verb
    return best


def query_terms(query: str) -> tuple[str, ...]:
    """The query's words, lowercase; "assume:prod" is two words, as typed with a space."""
    terms: list[str] = []
    for term in query.lower().split():
        head, colon, rest = term.partition(":")
        if colon and rest and any(word.startswith(head) for verb in VERBS for word in verb):
            terms += [head + ":", rest]
        else:
            terms.append(term)
    return tuple(terms)


def highlighted(text: str, spans: list[tuple[int, int]], style: Style) -> Content:
    """`text` as plain content (never markup: a name may hold brackets) with `spans` styled."""
    content = Content(text)
    for begin, end in spans:
        content = content.stylize(style, begin, end)
    return content


class AssumeCommands(Provider):
    @property
    def roleswitch(self) -> RoleswitchApp:
        """The app, typed: this provider only ever runs inside roleswitch's."""
        return self.app  # type: ignore[return-value]

    async def startup(self) -> None:
        """Start making the index for this catalogue when there is none: in a thread, so
        neither the app's thread nor the first keystroke pays for 10,000 search texts and
        their one-character index, and the palette's first entries do not wait for it."""
        palette_index(self.app, self.roleswitch.catalogue)

    @property
    def _style(self) -> Style:
        return self.matcher("").match_style

    def _other_commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        """(text, action, help) of every entry that is not a target's."""
        app = self.roleswitch
        yield "sessions", app.action_sessions, "every session roleswitch manages, with its own keys (ctrl+t)"
        if app.session is not None and hasattr(app.services.credentials, "set_region"):
            yield "region", app.action_region, "pick the active session's region (ctrl+g)"
        if app.session is not None and app.services.console is not None:
            help_text = "the active session's console sign-in URL to the clipboard (valid 15 minutes)"
            yield "console URL: copy", app.copy_console_url, help_text
        if app.services.sso is not None:
            for status in app.sso_key.statuses:
                name = status.name
                yield (
                    f"sign in: {name}",
                    partial(app.sso_key.sign_in, name),
                    "sign in to this IAM Identity Center session",
                )
                yield (
                    f"refresh accounts: {name}",
                    partial(app.sso_key.discover, name),
                    "list this SSO session's accounts again",
                )
        for name in app.organization_refresh.names:
            yield (
                f"refresh accounts: {name}",
                partial(app.organization_refresh.refresh, name),
                "list this organisation's accounts again",
            )

    def _target_entries(
        self, index: PaletteIndex, terms: tuple[str, ...]
    ) -> Iterator[tuple[str, Callable[[], object], str, list]]:
        """(text, action, help, spans) of the targets' entries for `terms`, best first: with a
        leading verb its entries, then (when the verb's words could be a target's too) both
        verbs' entries of the targets matching every term."""
        app = self.roleswitch
        verb_terms, verb = split_verb(terms)
        readings: list[tuple[tuple[tuple[str, ...], ...], tuple[str, ...], tuple[str, ...]]] = []
        if verb is not None:
            readings.append(((verb,), verb_terms, terms[len(verb_terms) :]))
        if terms:
            readings.append((PLAIN_VERBS, (), terms))
        seen: set[str] = set()
        for verbs, verb_terms, target_terms in readings:
            bare_terms = tuple(term.rstrip(":") for term in verb_terms)
            for target in index.best(target_terms):
                name_spans = match_spans(target.name, target_terms)
                for each in verbs:
                    label = " ".join(each)
                    text = f"{label}: {target.name}"
                    if text in seen:
                        continue
                    seen.add(text)
                    spans = match_spans(label, bare_terms) + [
                        (len(label) + 2 + begin, len(label) + 2 + end) for begin, end in name_spans
                    ]
                    if each is ASSUME:
                        yield (
                            text,
                            partial(app.assume_by_name, target.name),
                            f"{role_of(target)} via {target.source_label}",
                            spans,
                        )
                    elif each is ASSUME_INTO:
                        help_text = "assume it into a profile you name"
                        yield text, partial(app.assume_into_by_name, target.name), help_text, spans
                    elif each is PIN:
                        help_text = "pin or unpin it: pinned roles come first"
                        yield text, partial(app.pin_by_name, target.name), help_text, spans
                    else:
                        help_text = "write a credential_process profile to ~/.aws/config"
                        yield text, partial(app.write_sdk_profile, target.name), help_text, spans

    async def search(self, query: str) -> Hits:
        terms = query_terms(query)
        style = self._style
        others = list(self._other_commands())
        matching = TargetFilter([text.lower() for text, _, _ in others]).rank(" ".join(terms))
        entries = [(*others[i], match_spans(others[i][0], terms)) for i in chain.from_iterable(matching)]
        index = await palette_index(self.app, self.roleswitch.catalogue)  # at once, once it is made
        entries += islice(self._target_entries(index, terms), HIT_LIMIT)
        await asyncio.sleep(0)  # a newer keystroke cancels this search here, before any entry is shown
        top = _SCORE_PER_CHARACTER * (len(query) + 1)
        for rank, (text, action, help_text, spans) in enumerate(entries[:HIT_LIMIT]):
            yield Hit(
                top - rank / HIT_LIMIT, highlighted(text, spans, style), action, text=text, help=help_text
            )

    async def discover(self) -> Hits:
        targets = islice((t for t in self.roleswitch.catalogue.targets if t.valid), DISCOVER_LIMIT)
        for target in targets:
            yield DiscoveryHit(
                Content(f"assume: {target.name}"),
                partial(self.roleswitch.assume_by_name, target.name),
                text=f"assume: {target.name}",
                help=role_of(target),
            )


def role_of(target: Target) -> str:
    """The role an entry assumes: its ARN, or for an SSO role the permission set and account
    (the portal's role ARN is not known here)."""
    return f"{target.role_name} in {target.account_id}" if target.is_sso else target.role_arn
