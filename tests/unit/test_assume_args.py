"""`assume TARGET [--profile NAME] [--yes]` is read without argparse on the fast path;
whatever that reader accepts, argparse must read the same way."""

from __future__ import annotations

import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from roleswitch.cli import build_parser, quick_assume_args

WORDS = [
    "prod/Admin",
    "dev",
    "--yes",
    "--profile",
    "--profile=work",
    "--profile=",
    "--prof",
    "--duration",
    "1h",
    "--region",
    "-x",
    "--",
    "",
    "--help",
]


def by_argparse(words: list[str]) -> dict | None:
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(build_parser().parse_args(["assume", *words]))
        except SystemExit:
            return None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=4))
def test_whatever_the_quick_reader_accepts_argparse_reads_the_same(words):
    quick = quick_assume_args(["assume", *words])
    if quick is not None:
        assert by_argparse(words) == vars(quick)


def test_the_forms_people_type_are_read_quickly():
    for words in (
        ["prod/Admin"],
        ["prod/Admin", "--profile", "work"],
        ["--profile", "work", "prod/Admin", "--yes"],
        ["--yes", "prod/Admin", "--profile=work"],
    ):
        quick = quick_assume_args(["assume", *words])
        assert quick is not None, words
        assert vars(quick) == by_argparse(words)
    for words in (["prod/Admin", "--duration", "1h"], ["--profile", "work"], [], ["prod/Admin", "dev"]):
        assert quick_assume_args(["assume", *words]) is None, words
    assert quick_assume_args(["env", "prod/Admin"]) is None
