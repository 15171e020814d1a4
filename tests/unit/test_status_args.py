"""`status` parses its options without argparse (a shell prompt runs it every time);
whatever it accepts, it must read exactly as argparse does, and leave the rest to it."""

from __future__ import annotations

import contextlib
import io

from hypothesis import example, given, settings
from hypothesis import strategies as st

from roleswitch.cli import build_parser, quick_status_args

WORDS = [
    "--json",
    "--short",
    "--profile",
    "--profile=",
    "--profile=work",
    "--profile=--json",
    "--profile=-x",
    "work",
    "-x",
    "-5",
    "-",
    "",
    "--",
    "--js",
    "--prof",
    "--sh",
    "-h",
    "--help",
    "--json=1",
    "--Profile",
]


def by_argparse(words: list[str]):
    """argparse's reading of `status WORDS`, or None when it refuses them."""
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = build_parser().parse_args(["status", *words])
        except SystemExit:
            return None
    return (args.profile, args.json, args.short)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=5))
@example(["--profile", "--json"])  # once read as the profile "--json"; argparse refuses it
@example(["--profile", "-x"])
def test_whatever_the_quick_parser_accepts_argparse_reads_the_same(words):
    quick = quick_status_args(words)
    if quick is not None:
        assert by_argparse(words) == (quick.profile, quick.json, quick.short)


@given(
    st.lists(
        st.sampled_from(["--json", "--short", "--profile work", "--profile=work", "--profile=a=b"]),
        max_size=4,
    )
)
def test_the_forms_people_type_stay_on_the_fast_path(pieces):
    words = " ".join(pieces).split()
    quick = quick_status_args(words)
    assert quick is not None
    assert by_argparse(words) == (quick.profile, quick.json, quick.short)
