"""More time on a held seat, up to ten times (WCAG 2.2.1)."""

from datetime import timedelta

import pytest

from booking.models import BookingStatus, Role, utcnow
from booking.services.bookings import holds
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError
from tests import factories


def _held(db):
    session = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=2500)
    )
    person = factories.user(Role.ATTENDEE)
    now = utcnow()
    booking = bookings.book_session(session.id, person, now=now, hold_minutes=30)
    return booking, person, now


def test_extends_up_to_ten_times_each_when_running_out(db):
    booking, person, now = _held(db)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert holds.can_extend_hold(booking, now=now, minutes=30)
    at = now
    for used in range(1, holds.MAX_EXTENSIONS + 1):
        at = booking.hold_expires_at - timedelta(minutes=1)
        before = booking.hold_expires_at
        holds.extend_hold(booking, person=person, now=at, minutes=30)
        assert booking.hold_expires_at == before + timedelta(minutes=30)
        assert booking.hold_extensions == used
    at = booking.hold_expires_at - timedelta(minutes=1)
    assert not holds.can_extend_hold(booking, now=at, minutes=30)
    with pytest.raises(BookingError) as refused:
        holds.extend_hold(booking, person=person, now=at, minutes=30)
    assert refused.value.code == "hold_already_extended"


def test_no_more_time_while_plenty_is_left(db):
    booking, person, now = _held(db)
    booking.hold_expires_at = now + timedelta(days=7)
    assert not holds.can_extend_hold(booking, now=now, minutes=30)
    with pytest.raises(BookingError) as refused:
        holds.extend_hold(booking, person=person, now=now, minutes=30)
    assert refused.value.code == "hold_not_running_out"
    assert booking.hold_extensions == 0


@pytest.mark.parametrize(
    "change, code",
    [
        ("expired", "hold_expired"),
        ("confirmed", "hold_not_extendable"),
        ("someone_else", "not_found"),
    ],
)
def test_refuses_what_cannot_be_extended(db, change, code):
    booking, person, now = _held(db)
    at = now
    if change == "expired":
        at = now + timedelta(minutes=30)
    elif change == "confirmed":
        bookings.confirm(booking, by=None, now=now, via="test")
    else:
        person = factories.user(Role.ATTENDEE)
    with pytest.raises(BookingError) as refused:
        holds.extend_hold(booking, person=person, now=at, minutes=30)
    assert refused.value.code == code
    assert booking.hold_extended is False
