"""The auto-renew toggle saves by editing one value of the person's commented TOML."""

from __future__ import annotations

from tests.ui.helpers import make_app, notes, settle, write_sandbox
from tests.unit.test_toml_edit import readme_example


async def toggle_auto_renew(app, pilot, expected: bool) -> None:
    """The binding's action (its key may move); saving may finish in a worker."""
    await app.run_action("toggle_auto_renew")
    for _ in range(200):
        await settle(app, pilot)
        if app.auto_renew is expected:
            return
    raise AssertionError(f"auto_renew stayed {app.auto_renew}: {notes(app)}")


async def test_auto_renew_keeps_the_readme_example_byte_for_byte_but_the_value(home):
    example = readme_example()
    write_sandbox(home, toml=example)
    app, _, _ = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await toggle_auto_renew(app, pilot, True)
        assert home.toml.read_text() == example.replace("auto_renew = false ", "auto_renew = true ", 1)
        await toggle_auto_renew(app, pilot, False)
        assert home.toml.read_text() == example
