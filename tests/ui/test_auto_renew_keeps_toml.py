"""`a` in the app saves auto_renew by editing one value of the person's commented TOML."""

from __future__ import annotations

from tests.ui.helpers import make_app, notes, write_sandbox
from tests.unit.test_toml_edit import readme_example


async def test_a_keeps_the_readme_example_byte_for_byte_but_the_value(home):
    example = readme_example()
    write_sandbox(home, toml=example)
    app, _, _ = make_app(home)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape", "a")
        assert app.auto_renew is True, notes(app)
        assert home.toml.read_text() == example.replace("auto_renew = false ", "auto_renew = true ", 1)
        await pilot.press("a")
        assert app.auto_renew is False
        assert home.toml.read_text() == example
