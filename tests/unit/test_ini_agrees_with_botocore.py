"""Every INI reader in roleswitch against botocore's own parser, on generated documents.

roleswitch reads AWS files with its own byte-keeping scanner (`ini.scan`) and three
shortcuts (`read_sections` for the catalogue, `section_values` for `status` and the
credentials reader, `section_windows` for the editor). Each must see what botocore sees:
the same sections with the same keys and values, or, when botocore refuses the file,
a problem of its own. botocore here is `raw_config_parse`, the function it reads both
files with; `[DEFAULT]`'s keys are merged into every section there, as configparser does.
"""

from __future__ import annotations

import locale
import tempfile
from pathlib import Path

import pytest
from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from roleswitch.core.ini import DEFAULTS, read_sections, scan, section_names, section_values, section_windows

pytestmark = pytest.mark.skipif(
    locale.getpreferredencoding(False).lower().replace("-", "") != "utf8",
    reason="botocore reads AWS files in the locale's encoding; these documents are UTF-8",
)

LINES = [
    "[default]",
    "[corp]",
    "[DEFAULT]",
    "[profile work]",
    '[profile "work"]',
    "[profile  work]",
    "[profile\tdefault]",
    "[profile 'corp' ]",
    "role_arn = arn",
    "[ default ]",
    "[]",
    "[]]",
    "[a]b]",
    "[a] trailing",
    "[default",
    "key = value",
    "Key = other",
    "region=eu-west-1",
    "region: us-east-1",
    "aws_access_key_id = AKIA",
    "manager = roleswitch",
    "k =",
    "= v",
    "word",
    "a:b=c",
    "# comment",
    "; comment",
    "[x] # not a comment",
    "é = ü",
    "tab\t=\tx",
    "x = [y]",
]
INDENTS = ["", "", "", " ", "  ", "\t", "\f", "\u3000"]
NEWLINES = ["\n", "\n", "\r\n", "\r"]


@st.composite
def documents(draw) -> str:
    """Lines from real and odd INI fragments, indented and ended in every way botocore reads."""
    lines = draw(
        st.lists(
            st.tuples(
                st.sampled_from(INDENTS),
                st.one_of(
                    st.sampled_from(LINES),
                    st.just(""),
                    st.text(alphabet="ab=:#;[] \t\x0b", max_size=6),
                ),
                st.sampled_from(NEWLINES),
            ),
            max_size=25,
        )
    )
    text = "".join(indent + content + newline for indent, content, newline in lines)
    return text if draw(st.booleans()) else text.rstrip("\r\n")


def botocore_reads(text: str) -> dict | None:
    """What botocore makes of `text`, or None when it refuses the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file"
        path.write_bytes(text.encode("utf-8"))
        try:
            return raw_config_parse(str(path), parse_subsections=False)
        except ConfigParseError:
            return None


def roleswitch_reads(text: str) -> dict | None:
    """`scan`'s sections as botocore would hand them out, or None when scan found a problem."""
    doc = scan(text)
    if doc.problems:
        return None
    defaults: dict[str, str] = {}
    for section in doc.find(DEFAULTS):
        defaults.update(section.values)
    return {s.name: {**defaults, **s.values} for s in doc.sections if s.name != DEFAULTS}


BLANK_LINE_IN_CONTINUATION = "[a]\nk = v\n\n  more\n"
LONE_CR = "[corp]\nk = v\n[default]\rkey = long-term\n"


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=documents())
@example(text=BLANK_LINE_IN_CONTINUATION)
@example(text="[a]\nk =\n  x\n \n\t\n  y\n\n")
@example(text=LONE_CR)
@example(text="[a]\rk = v\r  cont\r")
@example(text="[DEFAULT]\nk = 1\n[a]\n[DEFAULT]\nj = 2\n")
@example(text="[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n")
@example(text="[]\n")
@example(text="[a]\n\u3000b = c\n")
def test_scan_agrees_with_botocore(text):
    assert roleswitch_reads(text) == botocore_reads(text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=documents(), name=st.sampled_from(["default", "corp", "a", "profile work"]))
@example(text=LONE_CR, name="default")
@example(text=BLANK_LINE_IN_CONTINUATION, name="a")
def test_shortcuts_agree_with_scan(text, name):
    """The fast readers give what `scan` gives, or step aside (None) and let it answer."""
    doc = scan(text)
    found = doc.find(name)
    assert section_values(text, name) == (found[0].values if len(found) == 1 else None)

    fast = read_sections(text)
    if fast is not None:
        assert not doc.problems
        assert fast == [(s.name, s.values, s.header + 1) for s in doc.sections]

    windows = section_windows(text.encode("utf-8"), name)
    if windows is not None:
        assert [s.values for w in windows for s in w.doc.sections if s.name == name] == [
            s.values for s in found
        ]

    # A superset: the catalogue uses it only to know a source profile exists.
    assert {s.name for s in doc.sections if s.name != DEFAULTS} <= section_names(text)


def test_lone_cr_reads_as_botocore_reads_it():
    assert botocore_reads(LONE_CR)["default"] == {"key": "long-term"}
    assert section_values(LONE_CR, "default") == {"key": "long-term"}
    assert read_sections(LONE_CR) is None  # left to scan


def test_blank_lines_inside_a_continued_value_are_kept():
    assert botocore_reads(BLANK_LINE_IN_CONTINUATION)["a"]["k"] == "v\n\nmore"
    assert scan(BLANK_LINE_IN_CONTINUATION).sections[0].values["k"] == "v\n\nmore"


# --- which profile a config-file section defines ----------------------------------------

_header_text = st.text(alphabet="profiledaultwk \t'\"\\", max_size=18)


@settings(max_examples=400, deadline=None, database=None)
@given(
    name=st.one_of(
        _header_text,
        st.builds(
            lambda pad, quote, word: f"profile{pad}{quote}{word}{quote}",
            st.sampled_from([" ", "  ", "\t"]),
            st.sampled_from(["", "'", '"']),
            st.sampled_from(["work", "a b", "w\\ork", ""]),
        ),
    )
)
@example(name="profile  work")
@example(name='profile "work"')
@example(name="profiles work")
@example(name="profile\x0bwork")
@example(name='profile wo"r"k')
def test_profile_names_agree_with_botocore(name):
    """`config_profiles.profile_name` against botocore's `build_profile_map`, one section at a time."""
    from botocore.configloader import build_profile_map

    from roleswitch.core.config_profiles import profile_name

    if not name or name != name.strip() or name == DEFAULTS:
        return  # configparser would strip it, or it is not a section at all
    theirs = list(build_profile_map({name: {"k": "v"}})["profiles"])
    ours = profile_name(name)
    assert theirs == ([] if ours is None else [ours])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(text=documents(), profile=st.sampled_from(["default", "work", "corp"]))
@example(text='[profile "work"]\nsso_session = s\n', profile="work")
@example(text="[profile work]\nk = 1\n[profile  work]\nrole_arn = x\n", profile="work")
@example(text="[DEFAULT]\nrole_arn = x\n[profile work]\n", profile="work")
def test_finding_one_profile_agrees_with_botocore(text, profile):
    """The credentials file's shadowing check reads one profile of a large config file
    by a shortcut; it must find what botocore finds (botocore uses the last section)."""
    from botocore.configloader import build_profile_map

    from roleswitch.core.config_profiles import find_profile

    parsed = botocore_reads(text)
    if parsed is None or roleswitch_reads(text) is None:
        return  # botocore refuses the file; nothing to agree on
    theirs = build_profile_map(parsed)["profiles"].get(profile)
    found = find_profile(text.encode("utf-8"), profile)
    assert (found[-1].values if found else None) == theirs
