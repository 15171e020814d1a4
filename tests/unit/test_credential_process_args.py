"""`credential-process TARGET [--yes]` is read without argparse on the fast path; whatever
that reader accepts, argparse must read the same way."""

from __future__ import annotations

import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from roleswitch.cli import build_parser, quick_credential_process_args

WORDS = ["prod/Admin", "--yes", "--ye", "-y", "--", "-x", "", "a b", "--yes=1", "--help"]


def by_argparse(words: list[str]):
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = build_parser().parse_args(["credential-process", *words])
        except SystemExit:
            return None
    return (args.target, args.yes)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=3))
def test_whatever_the_quick_reader_accepts_argparse_reads_the_same(words):
    quick = quick_credential_process_args(["credential-process", *words])
    if quick is not None:
        assert by_argparse(words) == quick


def test_the_forms_a_profile_command_has_are_read_quickly():
    for words in (["prod/Admin"], ["prod/Admin", "--yes"], ["--yes", "prod/Admin"]):
        assert quick_credential_process_args(["credential-process", *words]) == (
            "prod/Admin",
            "--yes" in words,
        )
    assert quick_credential_process_args(["list", "prod/Admin"]) is None
