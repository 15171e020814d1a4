"""Environment colours reach every place that names an environment, the Sessions screen's
Rich cells included (Rich reads no 8-digit colour: the cell lost its colour silently)."""

from __future__ import annotations

import pytest
from rich.style import Style

from roleswitch.ui.widgets.session_bar import environment_style


@pytest.mark.parametrize("colour", ["#cc0000", "#2e7d32", "#ffff00", "#000000", "red"])
def test_an_environment_style_is_one_rich_and_textual_can_both_read(colour):
    style = Style.parse(environment_style(colour))
    assert style.bgcolor is not None and style.color is not None and style.bold


def test_no_colour_is_reverse():
    assert Style.parse(environment_style(None)).reverse
