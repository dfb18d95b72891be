"""Wrong passwords slow an account down instead of locking it: a growing pause during which
even the right password is refused, except from a browser the person used before; the right
password, or a reset by emailed link, clears it."""

from datetime import UTC, datetime, timedelta

import pytest

from booking.services.people import accounts
from tests import factories

pytestmark = pytest.mark.database

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def _wrong(person, times, now=NOW):
    for _ in range(times):
        assert accounts.authenticate(person.email, "wrong", now=now) is None


def test_the_first_few_wrong_passwords_change_nothing(db):
    person = factories.user()
    _wrong(person, accounts.FREE_WRONG_PASSWORDS - 1)
    assert accounts.authenticate(person.email, factories.PASSWORD, now=NOW) == person
    assert person.failed_sign_ins == 0


def test_the_pause_grows_with_each_wrong_password_and_is_capped():
    assert accounts.sign_in_pause(accounts.FREE_WRONG_PASSWORDS - 1) == timedelta(0)
    assert accounts.sign_in_pause(accounts.FREE_WRONG_PASSWORDS) == timedelta(seconds=1)
    assert accounts.sign_in_pause(accounts.FREE_WRONG_PASSWORDS + 3) == timedelta(seconds=8)
    assert accounts.sign_in_pause(500) == accounts.LONGEST_SIGN_IN_PAUSE == timedelta(minutes=15)


def test_during_a_pause_the_right_password_waits_unless_from_a_known_browser(db):
    person = factories.user()
    _wrong(person, accounts.FREE_WRONG_PASSWORDS + 3)  # paused for 8 seconds
    assert accounts.authenticate(person.email, factories.PASSWORD, now=NOW) is None
    assert (
        accounts.authenticate(person.email, factories.PASSWORD, now=NOW, known_device=True)
        == person
    )
    # The pause stays for other browsers while someone is still guessing.
    assert accounts.authenticate(person.email, factories.PASSWORD, now=NOW) is None


def test_the_pause_runs_out_and_the_right_password_then_works(db):
    person = factories.user()
    _wrong(person, accounts.FREE_WRONG_PASSWORDS + 3)
    later = NOW + timedelta(seconds=9)
    assert accounts.authenticate(person.email, factories.PASSWORD, now=later) == person


def test_a_reset_by_emailed_link_clears_the_pause(db):
    person = factories.user()
    _wrong(person, 40)
    accounts.reset_password(person, "a brand new password", now=NOW)
    assert accounts.authenticate(person.email, "a brand new password", now=NOW) == person
