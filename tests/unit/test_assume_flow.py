"""The MFA policy shared by the command line and the app: when a code is asked for, and how often."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from roleswitch.core.assume_flow import assume_with_mfa
from roleswitch.core.errors import AssumeError
from roleswitch.core.model import Settings, Target

MFA_ROLE = Target(
    name="prod/Admin",
    origin="roleswitch",
    role_arn="arn:aws:iam::111111111111:role/Admin",
    account_id="111111111111",
    role_name="Admin",
    source_profile="corp",
    mfa_serial="arn:aws:iam::999999999999:mfa/alice",
)


class FakeSts:
    """Answers like StsClient: each call takes the next outcome (a result, or an error to raise)."""

    def __init__(self, *outcomes) -> None:
        self.outcomes = list(outcomes)
        self.codes: list[str | None] = []

    def assume(self, target, *, settings=None, mfa_code=None, duration=None):
        self.codes.append(mfa_code)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


class FakeStore:
    def __init__(self, usable: bool) -> None:
        self._usable = usable

    def usable(self, target, now) -> bool:
        return self._usable


class Asker:
    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.reasons: list[str | None] = []

    def __call__(self, target, reason):
        self.reasons.append(reason)
        return self.answers.pop(0)


ENDED = AssumeError("STS refused the MFA session of corp; enter a new code.", code="mfa-session-ended")


def run(sts, store, ask, **kwargs):
    return assume_with_mfa(MFA_ROLE, Settings(), sts, store, ask, **kwargs)


def test_a_usable_mfa_session_asks_for_nothing():
    sts, ask = FakeSts("result"), Asker()
    assert run(sts, FakeStore(usable=True), ask) == "result"
    assert ask.reasons == [] and sts.codes == [None]


def test_without_a_session_the_code_is_asked_for_first():
    sts, ask = FakeSts("result"), Asker("123456")
    assert run(sts, FakeStore(usable=False), ask) == "result"
    assert ask.reasons == [None] and sts.codes == ["123456"]


def test_a_refused_session_is_asked_for_once_with_the_reason():
    sts, ask = FakeSts(ENDED, "result"), Asker("654321")
    assert run(sts, FakeStore(usable=True), ask) == "result"
    assert ask.reasons == [str(ENDED)] and sts.codes == [None, "654321"]


def test_never_asked_twice_in_one_assume():
    sts, ask = FakeSts(ENDED), Asker("123456")
    with pytest.raises(AssumeError):
        run(sts, FakeStore(usable=False), ask)  # asked once already: the refusal stands
    assert len(ask.reasons) == 1


def test_a_given_code_is_used_and_nothing_asked():
    sts, ask = FakeSts("result"), Asker()
    assert run(sts, FakeStore(usable=False), ask, code="111111") == "result"
    assert ask.reasons == [] and sts.codes == ["111111"]


def test_no_code_given_is_one_sentence_and_no_sts_call():
    sts, ask = FakeSts(), Asker(None)
    with pytest.raises(AssumeError) as error:
        run(sts, FakeStore(usable=False), ask)
    assert error.value.code == "mfa-required" and "none was given" in str(error.value)
    assert sts.codes == []


def test_other_refusals_are_not_retried():
    denied = AssumeError("Access denied assuming prod/Admin.", code="access-denied")
    sts, ask = FakeSts(denied), Asker()
    with pytest.raises(AssumeError) as error:
        run(sts, FakeStore(usable=True), ask)
    assert error.value is denied and ask.reasons == []


def test_the_clock_decides_usability():
    seen = []

    class Store:
        def usable(self, target, now):
            seen.append(now)
            return True

    class Clock:
        def now(self):
            return datetime(2030, 1, 1, tzinfo=UTC)

    run(FakeSts("result"), Store(), Asker(), clock=Clock())
    assert seen == [datetime(2030, 1, 1, tzinfo=UTC)]
