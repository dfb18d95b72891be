"""A guest (booked without a password) is never told to sign in: the way back is their booking
reference and a code."""

import pytest

from booking.models import Role, utcnow
from booking.services.bookings import seats as bookings
from booking.services.notify import messages
from tests import factories
from tests.referral_factories import make_email_safe

pytestmark = pytest.mark.database


@pytest.mark.parametrize("password_chosen", [False, True], ids=["guest", "account"])
def test_a_paid_confirmation_tells_a_guest_how_to_get_back_without_signing_in(db, password_chosen):
    now = utcnow()
    person = factories.user(Role.ATTENDEE)
    person.password_chosen = password_chosen
    make_email_safe(person)
    booking = bookings.book_session(factories.course_session().id, person, now=now)
    notification = messages.booking_confirmed(booking, now=now, via="payment")
    body = notification.body
    if password_chosen:
        assert "sign in to your account" in body
    else:
        assert "sign in" not in body.lower()
        assert "Find your booking" in body and booking.reference in body
