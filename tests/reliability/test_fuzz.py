"""Fuzzing the credentials-file editor and the catalogue loaders with hypothesis.

A case that once failed is kept as an `@example` on its test, readable in review and
tried first on every run (no example database: an opaque one goes stale silently when a
test's source changes). Per run: 400 inputs to the editor, 300 to
the clear path, 400 pairs of config/TOML files to the loaders.
The only outcomes allowed: a correct result, or roleswitch's own error with the file
byte-for-byte unchanged. Never any other exception. "Correct" is judged by botocore's
own parser, never roleswitch's: a scanner cannot vouch for itself (it once agreed with
itself that a file with a lone CR was fine while botocore read other sections).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from botocore.configloader import raw_config_parse
from botocore.exceptions import ConfigParseError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from roleswitch.core.catalogue import load_catalogue
from roleswitch.core.credentials_file import CredentialsFile
from roleswitch.core.errors import RoleswitchError
from roleswitch.core.ini import scan
from tests.reliability.writer_proc import result


def fuzz(examples: int) -> settings:
    return settings(
        database=None, deadline=None, max_examples=examples, suppress_health_check=list(HealthCheck)
    )


FRAGMENTS = [
    "[default]",
    "[corp]",
    "[profile default]",
    "[default",
    "default]",
    "[]",
    "[ default ]",
    "aws_access_key_id = AKIA",
    "aws_secret_access_key=s",
    "manager = roleswitch",
    "region: eu-west-1",
    "key",
    "key =",
    "= value",
    "  continued",
    "\tindented = x",
    "# comment",
    "; comment",
    "",
    " ",
    "\ufeff",
    "é",
    "\x00",
    "x" * 3000,
    "role_arn = arn:aws:iam::111111111111:role/A",
    "source_profile = corp",
    "sso_session = s",
    "credential_process = p",
    "s3 =",
    "  max = 1",
    "[accounts.a]",
    'id = "111111111111"',
    "[[accounts.a.roles]]",
    'name = "R"',
    "[settings]",
    'active_profile = "default"',
    "auto_renew = yes",
    'duration = "1h"',
    "roles = 3",
]
lines_text = st.builds(
    lambda lines, nl, final: nl.join(lines) + (nl if final else ""),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
)
inputs = st.one_of(
    st.binary(max_size=1500),
    lines_text.map(lambda t: t.encode("utf-8")),
    st.tuples(lines_text, st.binary(max_size=8)).map(lambda p: p[0].encode() + p[1]),
)


def _botocore(path: Path) -> dict | None:
    """The file's sections as botocore reads them, None if it cannot."""
    try:
        return raw_config_parse(str(path), parse_subsections=False)
    except ConfigParseError:
        return None


def _outside(text: str, name: str) -> list[str]:
    doc = scan(text.removeprefix("\ufeff"))
    skip = {i for s in doc.find(name) for i in range(s.header, s.content_end)}
    return [line.rstrip("\r\n") for i, line in enumerate(doc.lines) if i not in skip and line.strip()]


@fuzz(400)
@given(data=inputs)
@example(data=b"[corp]\nk = v\n[default]\raws_access_key_id = AKIAUSER\n")
@example(data=b"[corp]\rk = v\r")
@example(data=b"[DEFAULT]\nregion = x\n[corp]\n")
def test_editor_either_writes_correctly_or_refuses_untouched(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "credentials"
        path.write_bytes(data)
        before = _botocore(path)
        theirs = (before or {}).get("default") or {}
        foreign = bool(theirs) and theirs.get("manager") != "roleswitch"
        writer = CredentialsFile(path, config_path=Path(folder) / "config")
        try:
            writer.write("default", result("default", 7))
        except RoleswitchError as error:
            assert str(error) and "\n" not in str(error)
            assert path.read_bytes() == data
            return
        assert not foreign, "botocore saw keys in [default] that roleswitch did not write, now overwritten"
        after = path.read_bytes().decode("utf-8")
        active = writer.read_active("default")
        assert active is not None and active.access_key_id == "ASIADEFAULTN000007"
        assert _outside(after, "default") == _outside(data.decode("utf-8"), "default")
        if before is not None:  # botocore read the file: it reads ours, and the rest as before
            seen = _botocore(path)
            assert seen is not None
            assert seen.pop("default")["aws_access_key_id"] == "ASIADEFAULTN000007"
            before.pop("default", None)
            assert seen == before


@fuzz(300)
@given(data=inputs)
def test_clear_either_removes_only_ours_or_refuses_untouched(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "credentials"
        path.write_bytes(data)
        before = _botocore(path)
        writer = CredentialsFile(path, config_path=Path(folder) / "config")
        try:
            removed = writer.clear("default")
        except RoleswitchError:
            assert path.read_bytes() == data
            return
        if not removed:
            assert path.read_bytes() == data
        else:
            assert _outside(path.read_bytes().decode(), "default") == _outside(data.decode(), "default")
            if before is not None:  # botocore read the file: the rest reads as before
                seen = _botocore(path)
                assert seen is not None and "manager" not in seen.pop("default", {})
                before.pop("default")
                assert seen == before


@fuzz(400)
@given(config=inputs, toml=inputs, credentials=inputs)
def test_loaders_never_raise(config, toml, credentials):
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for name, data in (("config", config), ("config.toml", toml), ("credentials", credentials)):
            (base / name).write_bytes(data)
        catalogue = load_catalogue(base / "config", base / "config.toml", base / "credentials")
        assert all(isinstance(p, str) and p for p in catalogue.problems)
        for target in catalogue.targets:
            assert target.valid or target.problem
        catalogue.accounts()


@fuzz(400)
@given(text=st.one_of(lines_text, st.binary(max_size=600).map(lambda b: b.decode("utf-8", "replace"))))
def test_status_section_lookup_agrees_with_the_full_scanner(text):
    """`status` reads one section by a shortcut; it must see what the editor's scanner sees."""
    from roleswitch.core.ini import section_values

    found = scan(text).find("default")
    expected = dict(found[0].values) if len(found) == 1 else None
    assert section_values(text, "default") == expected


@fuzz(400)
@given(text=st.one_of(lines_text, st.binary(max_size=600).map(lambda b: b.decode("utf-8", "replace"))))
def test_windowed_editing_agrees_with_a_full_scan(text):
    """The editor scans only the section it replaces; the result must equal a full scan's."""
    from roleswitch.core.credentials_file import _upsert_scanned, upsert_section

    body = text.removeprefix("\ufeff")
    new = ["[default]", "aws_access_key_id = ASIA", "manager = roleswitch"]
    assert upsert_section(body, "default", new) == _upsert_scanned(body, "default", new)


_word = st.text(alphabet="abcAB_-./:= \t#;[]", min_size=0, max_size=8)
well_formed = st.builds(
    lambda sections, nl: nl.join(
        line for name, keys in sections for line in [f"[{name}]", *(f"{k}{sep}{v}" for k, sep, v in keys)]
    ),
    st.lists(
        st.tuples(
            _word,
            st.lists(st.tuples(_word, st.sampled_from(["=", " = ", ":", " : ", "=\t"]), _word), max_size=4),
        ),
        max_size=6,
    ),
    st.sampled_from(["\n", "\r\n", "\n\n", "\n# note\n"]),
)


@fuzz(400)
@given(
    text=st.one_of(
        lines_text, well_formed, st.binary(max_size=600).map(lambda b: b.decode("utf-8", "replace"))
    )
)
def test_fast_config_reader_agrees_with_the_full_scanner(text):
    """The catalogue reads well-formed files with a few regex passes; same answer as `scan`."""
    from roleswitch.core.ini import read_sections

    fast = read_sections(text)
    if fast is None:
        return  # left to scan
    doc = scan(text)
    assert doc.problems == []
    assert fast == [(s.name, s.values, s.header + 1) for s in doc.sections]


def test_fast_config_reader_takes_ordinary_files():
    from roleswitch.core.ini import read_sections

    text = "# mine\n[default]\nregion = eu-west-1\n\n[profile a]\r\nrole_arn = x:y\r\nsource_profile=corp\r\n"
    assert read_sections(text) == [
        ("default", {"region": "eu-west-1"}, 2),
        ("profile a", {"role_arn": "x:y", "source_profile": "corp"}, 5),
    ]
    assert read_sections("[a]\n  continued = 1\n") is None
