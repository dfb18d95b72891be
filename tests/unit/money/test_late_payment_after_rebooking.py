"""A payment for a lapsed hold, after the person booked again, is refused, never a 500."""

from datetime import timedelta

import pytest

from booking.models import Booking, BookingStatus, PaymentMethod, Role, utcnow
from booking.services.bookings import cancellation
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError
from booking.services.money import payments
from tests import factories


def test_an_offline_payment_for_a_lapsed_hold_the_person_has_rebooked_is_refused(db):
    now = utcnow().replace(microsecond=0)
    course_session = factories.course_session(
        capacity=3, course_type_row=factories.course_type(default_fee_pence=3000)
    )
    person = factories.user(Role.ATTENDEE)
    staff = factories.user(Role.ADMIN)
    lapsed = bookings.book_session(course_session.id, person, now=now, hold_minutes=30)
    later = now + timedelta(hours=1)
    cancellation.expire_holds(now=later, policy=factories.ENDING_POLICY)
    again = bookings.book_session(course_session.id, person, now=later, hold_minutes=30)
    db.session.commit()

    with pytest.raises(BookingError) as refused:
        payments.record_offline_payment(
            lapsed.id,
            method=PaymentMethod.CASH,
            amount_pence=3000,
            reference="cash",
            by=staff,
            now=later,
        )
    assert refused.value.code == "full"
    db.session.rollback()
    assert db.session.get(Booking, lapsed.id).status == BookingStatus.EXPIRED
    assert db.session.get(Booking, again.id).status == BookingStatus.AWAITING_PAYMENT
