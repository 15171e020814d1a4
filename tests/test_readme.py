"""The README's promises that can be checked: its screenshots exist and hold no secret."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def named_screenshots() -> list[str]:
    return sorted(set(re.findall(r"\((screenshots/[\w.-]+\.svg)\)", README)))


def visible_text(svg: str) -> str:
    """The text a person sees in a Textual SVG screenshot."""
    text = " ".join(re.findall(r">([^<>]*)</text>", svg))
    return text.replace("&#160;", " ").replace("&amp;", "&")


def test_every_named_screenshot_exists():
    names = named_screenshots()
    assert len(names) >= 6
    for name in names:
        assert (ROOT / name).is_file(), name


def test_no_screenshot_shows_a_secret():
    # A secret access key is 40 characters of base64; session tokens are longer. Random
    # base64 that long holds a digit (all but 0.3% of the time); a target name such as
    # org/Analytics/OrganizationAccountAccessRole does not.
    secret_like = re.compile(r"(?=[A-Za-z/+=]*[0-9])[A-Za-z0-9/+=]{40,}")
    for name in named_screenshots():
        text = visible_text((ROOT / name).read_text())
        assert "roleswitch" in text, name  # the text was really read
        assert "aws_secret_access_key" not in text and "aws_session_token" not in text, name
        assert not secret_like.search(text), (name, secret_like.search(text))


def test_readme_first_screen_gives_the_two_commands():
    first_screen = "\n".join(README.splitlines()[:16])
    assert 'pip install ".[demo]" && roleswitch demo' in first_screen
    assert 'pip install -e ".[test]" && pytest' in first_screen


def command_table_rows() -> list[str]:
    """The first cell of each row of the Command line table: `roleswitch assume TARGET [...]`."""
    section = README.split("## Command line", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `(roleswitch[^`]*)` \|", section, flags=re.MULTILINE)


def test_every_documented_command_and_option_is_accepted():
    import argparse

    from roleswitch.cli import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    documented = set()
    for row in command_table_rows():
        words = row.split()
        if len(words) == 1:
            continue  # `roleswitch` alone: the app
        name = words[1]
        documented.add(name)
        assert name in commands.choices, row
        accepted = commands.choices[name]._option_string_actions
        for option in re.findall(r"--[a-z][a-z-]*", row):
            assert option in accepted, (row, option)
    assert documented == set(commands.choices), "the table and the parser list different commands"
