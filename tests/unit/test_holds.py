"""The one extension of a held seat's time (WCAG 2.2.1)."""

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


def test_extends_once_by_the_given_minutes(db):
    booking, person, now = _held(db)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert holds.can_extend_hold(booking, now=now)
    holds.extend_hold(booking, person=person, now=now + timedelta(minutes=29), minutes=30)
    assert booking.hold_expires_at == now + timedelta(minutes=60)
    assert not holds.can_extend_hold(booking, now=now)
    with pytest.raises(BookingError) as refused:
        holds.extend_hold(booking, person=person, now=now, minutes=30)
    assert refused.value.code == "hold_already_extended"


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
