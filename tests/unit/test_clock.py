from datetime import UTC, datetime, timedelta

import pytest

from roleswitch.core.clock import FrozenClock, Urgency, format_left, seconds_left, urgency

T0 = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)


def test_seconds_left_recomputed_from_clock_not_decremented():
    clock = FrozenClock(T0)
    expiry = T0 + timedelta(hours=1)
    assert seconds_left(expiry, clock.now()) == 3600
    clock.advance(0.5)
    assert seconds_left(expiry, clock.now()) == 3599
    clock.advance(3 * 3600)  # a laptop waking up
    assert seconds_left(expiry, clock.now()) == -2 * 3600 - 1
    clock.set(T0 - timedelta(hours=1))  # a clock jumping back
    assert seconds_left(expiry, clock.now()) == 7200


@pytest.mark.parametrize(
    ("left", "band"),
    [
        (3600, Urgency.CALM),
        (601, Urgency.CALM),
        (600, Urgency.WARNING),
        (121, Urgency.WARNING),
        (120, Urgency.ALARM),
        (1, Urgency.ALARM),
        (0, Urgency.EXPIRED),
        (-5, Urgency.EXPIRED),
    ],
)
def test_urgency_bands(left, band):
    assert urgency(left, 600) is band


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (3723, "1h 02m 03s"),
        (3599, "59m 59s"),
        (7, "7s"),
        (0, "expired 0s ago"),
        (-180, "expired 3m ago"),
        (-7500, "expired 2h 05m ago"),
    ],
)
def test_format_left(left, text):
    assert format_left(left) == text


def test_rows_show_whole_minutes_until_the_last_two():
    from roleswitch.core.clock import format_left_coarse

    assert format_left_coarse(3 * 3600 + 5 * 60 + 59) == "3h 05m"
    assert format_left_coarse(42 * 60 + 10) == "42m"
    assert format_left_coarse(121) == "2m"
    assert format_left_coarse(120) == "2m 00s"
    assert format_left_coarse(7) == "7s"
    assert format_left_coarse(-30).startswith("expired")
