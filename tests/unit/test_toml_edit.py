"""Saving a setting edits one value of the person's TOML and keeps every other byte."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from roleswitch.core.errors import ConfigError
from roleswitch.core.settings_store import save_setting
from roleswitch.core.toml_edit import EditRefused, set_value

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def readme_example() -> str:
    """The commented ```toml example under "## Configuration", as the README shows it."""
    section = README.split("## Configuration", 1)[1]
    return re.search(r"```toml\n(.*?)```", section, re.S).group(1)


def saved(tmp_path: Path, text: str | bytes, key: str = "auto_renew", value: object = True) -> bytes:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    save_setting(key, value, path)
    return path.read_bytes()


def common_prefix_length(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def parsed(data: bytes) -> dict:
    return tomllib.loads(data.decode().removeprefix("\ufeff"))


def test_readme_example_keeps_every_byte_but_the_value(tmp_path):
    example = readme_example()
    assert "auto_renew = false           # toggled with ctrl+a" in example  # the example is the one we mean
    assert "[[accounts.prod.roles]]" in example
    after = saved(tmp_path, example).decode()
    assert after == example.replace("auto_renew = false ", "auto_renew = true ", 1)
    expected = tomllib.loads(example)
    expected["settings"]["auto_renew"] = True
    assert tomllib.loads(after) == expected


def test_readme_example_toggled_back_is_the_original(tmp_path):
    example = readme_example()
    path = tmp_path / "config.toml"
    path.write_text(example)
    save_setting("auto_renew", True, path)
    save_setting("auto_renew", False, path)
    assert path.read_text() == example


def test_absent_key_goes_after_the_last_settings_line(tmp_path):
    example = readme_example()
    without = example.replace("auto_renew = false           # toggled with ctrl+a in the app\n", "")
    assert without != example
    after = saved(tmp_path, without).decode()
    last = 'order = "usage"              # no query: pinned, recent, then accounts; or "alphabetical"\n'
    assert after == without.replace(last, last + "auto_renew = true\n")


def test_settings_without_keys_gets_the_line_under_its_header(tmp_path):
    text = "# mine\n[settings]   # empty for now\n\n[accounts.a]\nid = '111111111111'\n"
    after = saved(tmp_path, text).decode()
    assert after == text.replace("# empty for now\n", "# empty for now\nauto_renew = true\n")


def test_no_settings_table_is_added_at_the_end(tmp_path):
    text = "# accounts only\n[accounts.a]\nid = '111111111111'\n"
    after = saved(tmp_path, text).decode()
    assert after == text + "\n[settings]\nauto_renew = true\n"


def test_top_level_keys_are_not_captured_by_a_new_settings_table(tmp_path):
    text = 'title = "x"\n[[accounts.a.roles]]\nname = "Admin"'
    after = saved(tmp_path, text)
    assert parsed(after) == {"title": "x", "accounts": {"a": {"roles": [{"name": "Admin"}]}}} | {
        "settings": {"auto_renew": True}
    }
    assert after.startswith(text.encode())


def test_missing_file_is_created(tmp_path):
    path = tmp_path / "sub" / "config.toml"
    save_setting("auto_renew", True, path)
    assert path.read_text() == "[settings]\nauto_renew = true\n"


def test_dotted_keys_at_top_level(tmp_path):
    text = "settings.duration = '1h'  # one hour\nsettings.auto_renew = false # a\n[accounts.a]\nid = '1'\n"
    assert saved(tmp_path, text).decode() == text.replace("auto_renew = false", "auto_renew = true")
    absent = "settings.duration = '1h'  # one hour\n\n[accounts.a]\nid = '1'\n"
    assert saved(tmp_path, absent).decode() == absent.replace(
        "# one hour\n", "# one hour\nsettings.auto_renew = true\n"
    )


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('settings = { duration = "1h", auto_renew = false }  # c\n', "auto_renew = true }  # c"),
        ('settings = { duration = "1h" }\n', 'settings = { duration = "1h", auto_renew = true }\n'),
        ("settings = {}\n", "settings = {auto_renew = true}\n"),
        ("settings = { }\n", "settings = { auto_renew = true }\n"),
    ],
)
def test_inline_settings_table(tmp_path, before, after):
    result = saved(tmp_path, before).decode()
    assert after in result
    assert parsed(result.encode())["settings"]["auto_renew"] is True


def test_multi_line_values_are_skipped_not_misread(tmp_path):
    text = (
        '[accounts.a]\nnote = """\n[settings]\nauto_renew = false\n"""\nid = "111111111111"\n'
        "[settings]\nregions = [\n  'eu-west-1',  # home\n  'us-east-1',\n]\nliteral = '''\n"
        "auto_renew = false'''\nauto_renew = false\n"
    )
    after = saved(tmp_path, text).decode()
    assert after == text[: text.rindex("false")] + "true\n"


def test_crlf_bom_and_no_final_newline_are_kept(tmp_path):
    text = "\ufeff# mine\r\n[settings]\r\nduration = '1h'\r\n\r\n[accounts.a]\r\nid = '1'"
    after = saved(tmp_path, text.encode()).decode()
    assert after == text.replace("duration = '1h'\r\n", "duration = '1h'\r\nauto_renew = true\r\n")
    assert after.startswith("\ufeff") and not after.endswith("\n")
    assert saved(tmp_path, after.encode(), value=False).decode() == after.replace("true", "false")


def test_no_final_newline_after_the_key(tmp_path):
    text = "[settings]\nduration = '1h'"
    assert saved(tmp_path, text).decode() == "[settings]\nduration = '1h'\nauto_renew = true"


def test_strings_are_rendered_as_toml(tmp_path):
    after = saved(tmp_path, "[settings]\nsession_name = 'x' # me\n", "session_name", 'a"b')
    assert after.decode() == '[settings]\nsession_name = "a\\"b" # me\n'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[settings\nauto_renew = false\n", "does not parse"),
        ("settings = 5\n", "is not a table"),
        ("[[settings]]\nauto_renew = false\n", "is not a table"),
    ],
)
def test_refusals_are_one_sentence_and_leave_the_file(tmp_path, text, reason):
    path = tmp_path / "own" / "config.toml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        save_setting("auto_renew", True, path)
    message = str(caught.value)
    assert (
        reason in message
        and message.endswith("set auto_renew under [settings] by hand.")
        and "\n" not in message
    )
    assert path.read_text() == text
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no lock or temporary file


def test_mode_of_an_existing_file_is_kept(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("[settings]\n")
    path.chmod(0o640)
    save_setting("auto_renew", True, path)
    assert path.stat().st_mode & 0o777 == 0o640


_values = st.one_of(
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="[#"), max_size=12),
    st.lists(st.integers(0, 9), max_size=3),
)
_keys = st.text("abcdefghij_-.é ", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    settings_table=st.dictionaries(_keys, _values, max_size=4),
    other=st.dictionaries(_keys, st.dictionaries(_keys, _values, max_size=3), max_size=3),
    key=_keys,
    value=_values,
    style=st.sampled_from(["table", "inline", "multiline", "crlf"]),
)
def test_any_document_gets_exactly_the_one_change(settings_table, other, key, value, style):
    other.pop("settings", None)
    if style == "inline":
        pairs = ", ".join(tomli_w.dumps({k: v}).rstrip("\n") for k, v in settings_table.items())
        text = f"settings = {{ {pairs} }}  # inline\n" + tomli_w.dumps(other)
    else:
        text = tomli_w.dumps({"settings": settings_table, **other}, multiline_strings=style == "multiline")
    if style == "crlf":
        text = text.replace("\n", "\r\n")
    expected = tomllib.loads(text)
    expected.setdefault("settings", {})[key] = value
    try:
        edited = set_value(text, "settings", key, value)
    except EditRefused as reason:
        raise AssertionError(f"refused {text!r}: {reason}") from None
    assert tomllib.loads(edited) == expected
    # One short span changed, and no table header or comment inside it.
    same_start = common_prefix_length(text, edited)
    same_end = common_prefix_length(text[same_start:][::-1], edited[same_start:][::-1])
    removed, added = text[same_start : len(text) - same_end], edited[same_start : len(edited) - same_end]
    assert "\n[" not in removed and "#" not in removed
    assert len(added) <= len(tomli_w.dumps({"settings": {key: value}})) + 4
