"""However a booking ends, a place it frees goes to the next person waiting, for as long as
WAITLIST_OFFER_HOURS says: a force's withdrawal through the API, a Stripe Checkout page that
lapses and staff withdrawing a referral all offer it the same way."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from booking.models import (
    Booking,
    BookingStatus,
    Role,
    Scheme,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import waitlist
from booking.services.referrals import lookup as referrals
from tests import factories
from tests.force_helpers import bearer, force_with_token
from tests.payment_helpers import booking_awaiting_payment, checkout_event, post_event
from tests.referral_factories import make_email_safe, referral

pytestmark = pytest.mark.database


def _someone_waiting(db, course_session):
    waiting = factories.user()
    make_email_safe(waiting)
    entry = waitlist.join(course_session.id, waiting, now=utcnow())
    db.session.commit()
    return entry.id


def _entry(db, entry_id) -> WaitingListEntry:
    db.session.expire_all()
    return db.session.get(WaitingListEntry, entry_id)


def _full_session_booked_for_a_referral(db, force):
    course = factories.course_type()
    db.session.add(
        Scheme(force_id=force.id, name="Diversion", days_to_complete=30, course_types=[course])
    )
    row = referral(force, course)
    person = referrals.attendee_for_referral(row, now=utcnow())
    course_session = factories.course_session(
        capacity=1, course_type_row=course, venue_row=factories.venue(force)
    )
    referrals.book_for_referral(
        row.id, course_session.id, person, now=utcnow(), hold_minutes=30, base_url="http://t"
    )
    db.session.commit()
    return row, course_session


def test_a_force_withdrawing_through_the_api_offers_the_freed_place(client, db):
    force, token = force_with_token()
    row, course_session = _full_session_booked_for_a_referral(db, force)
    entry_id = _someone_waiting(db, course_session)

    response = client.post(f"/api/v1/referrals/{row.id}/withdraw", json={}, headers=bearer(token))

    assert response.status_code == 200
    assert db.session.scalar(select(Booking.status)) == BookingStatus.CANCELLED
    assert _entry(db, entry_id).status == WaitingStatus.OFFERED


def test_a_lapsed_checkout_page_offers_the_released_place(client, db):
    booking, payment = booking_awaiting_payment(db, capacity=1)
    entry_id = _someone_waiting(db, booking.session)

    post_event(client, checkout_event("evt_lapsed", "checkout.session.expired", payment))

    assert db.session.get(Booking, booking.id).status == BookingStatus.EXPIRED
    assert _entry(db, entry_id).status == WaitingStatus.OFFERED


def test_staff_withdrawing_a_referral_offer_the_place_for_the_configured_hours(
    app, client, db, auth
):
    app.config["WAITLIST_OFFER_HOURS"] = 48
    force = factories.force()
    row, course_session = _full_session_booked_for_a_referral(db, force)
    entry_id = _someone_waiting(db, course_session)
    auth.login_as(Role.ADMIN)

    assert client.post(f"/admin/referrals/{row.id}/withdraw").status_code == 303

    entry = _entry(db, entry_id)
    assert entry.status == WaitingStatus.OFFERED
    assert entry.offer_expires_at - entry.offered_at == timedelta(hours=48)
