"""The filter's index holds each target's number once: the index and the results share
the ints of `matches("")`, and a field in one text is that int, not a tuple of one."""

from __future__ import annotations

from roleswitch.core.filtering import TargetFilter

TEXTS = [f"team {n // 10:05d}\n{100000000000 + n}\nrole{n % 10}\nacct{n}-role{n % 10}" for n in range(600)]


def test_the_index_and_the_results_share_one_int_per_target():
    matcher = TargetFilter(TEXTS)
    everything = matcher.matches("")
    assert matcher.rank("acct5")  # builds the exact-field index
    matcher.prepare()
    by_char = matcher._by_char
    assert by_char is not None
    for indices in (by_char["t"], matcher.matches("team"), matcher.matches("ro 9")):
        assert indices and all(index is everything[index] for index in indices)


def test_an_exact_field_in_one_text_is_found_as_one_and_in_many_as_many():
    matcher = TargetFilter(TEXTS)
    assert matcher._exact("acct42-role2") == (42,)
    assert matcher._exact("role3") == tuple(range(3, 600, 10))
    assert matcher._exact("nothing") == ()
    assert matcher.rank("acct42-role2")[0] == (42,)
