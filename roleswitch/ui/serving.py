"""ctrl+s in the app: serve the active session's role to SDKs on 127.0.0.1, or stop.

Starting may call STS, and copying may wait on a clipboard command, so both run as a
background job; the bar then shows the port and how many requests were answered.
The two variables (the URL and the per-run token) go to the clipboard, never on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from roleswitch.ui.widgets.session_bar import Note

if TYPE_CHECKING:
    from roleswitch.ui.app import RoleswitchApp


class ServeKey:
    def __init__(self, app: RoleswitchApp) -> None:
        self.app = app
        self.running: Any = None  # the service's handle: port, answered, problem, export_lines, stop
        self.starting = False

    def can_act(self) -> bool | None:
        app = self.app
        if app.services.serve is None:
            return False  # hidden: no server in this app
        if self.running is not None:
            return True  # stops it
        return True if app.session is not None and not self.starting else None

    def notes(self) -> list[Note]:
        running = self.running
        if running is None:
            return []
        count = running.answered
        full = f"serving :{running.port} · {count} request{'s' if count != 1 else ''}"
        if running.problem:
            full += " · renewal failing"
        return [Note(full, f":{running.port} {count}")]

    def toggle(self) -> None:
        app = self.app
        if self.running is not None:
            running, self.running = self.running, None
            running.stop()
            app.notify(f"Stopped serving {running.target_name} after {running.answered} requests.")
            app.tick()
            app.refresh_bindings()
            return
        serve = app.services.serve
        target = app.catalogue.find(app.session.target_name or "") if app.session else None
        if serve is None or self.starting:
            return
        if target is None:
            app.notify(
                "No active session of a configured role to serve; assume one first.",
                severity="warning",
            )
            return
        settings = app.settings
        self.starting = True
        app.refresh_bindings()

        def start() -> tuple[Any, str | None, str | None]:
            from roleswitch.core.clipboard import ClipboardError, clipboard_command, copy_with

            running = serve(target, settings)
            text = "\n".join(running.export_lines()) + "\n"
            command = clipboard_command()
            if command is None:
                return running, None, text
            try:
                copy_with(command, text)
            except ClipboardError:
                return running, None, text
            return running, command[0].rsplit("/", 1)[-1], None

        def started(outcome: tuple[Any, str | None, str | None] | None, error: str | None) -> None:
            self.starting = False
            if error is not None or outcome is None:
                problem = error or "The server did not start."
                app.notify(problem, title="Not serving", severity="error", timeout=12)
                app.refresh_bindings()
                return
            running, tool, text = outcome
            self.running = running
            if tool is None and text is not None:
                app.copy_to_clipboard(text)  # OSC 52: the terminal may drop it
            how = (
                f"copied with {tool}"
                if tool
                else "sent to the terminal's clipboard (OSC 52: a recording of the terminal keeps the token)"
            )
            app.notify(
                f"Serving {running.target_name} on 127.0.0.1 port {running.port}; the two export lines "
                f"for it were {how}. ctrl+s stops.",
                title="Credential server",
                timeout=12,
            )
            app.tick()
            app.refresh_bindings()

        app.in_background(start, started)
