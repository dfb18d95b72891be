"""Every way a place becomes confirmed sends one confirmation: when, where, reference, calendar.

A person confirmed by a card payment, an approved waiver or a payment taken by phone needs the
same facts as one whose place was free: the date and time (UK time), the address or the joining
link, the booking reference and a calendar file.
"""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from booking.models import (
    AttendeeProfile,
    Booking,
    BookingStatus,
    Notification,
    Role,
    WaiverRequest,
    utcnow,
)
from booking.services.money import fund
from tests import factories
from tests.payment_helpers import booking_awaiting_payment, checkout_event, post_event

pytestmark = pytest.mark.database

LONDON = ZoneInfo("Europe/London")
FEE = 3000


def _attendee(db):
    person = factories.user(Role.ATTENDEE)
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True, prefers_women_only=False))
    db.session.flush()
    return person


def _fee_session(**fields):
    return factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=FEE), **fields
    )


def _the_confirmation(db, person) -> Notification:
    db.session.expire_all()
    return db.session.scalars(
        select(Notification).where(
            Notification.user_id == person.id, Notification.kind == "booking_confirmed"
        )
    ).one()


def _assert_full_confirmation(message: Notification, booking: Booking) -> None:
    course_session = booking.session
    start = course_session.starts_at.astimezone(LONDON)
    end = course_session.ends_at.astimezone(LONDON)
    assert message.subject == "Your booking is confirmed"
    assert f"{start:%A} {start.day} {start:%B %Y}" in message.body
    assert start.strftime("%I:%M").lstrip("0") in message.body
    assert end.strftime("%I:%M").lstrip("0") in message.body
    assert booking.reference in message.body
    if course_session.is_online:
        assert course_session.online_join_url in message.body
    else:
        assert course_session.venue.address in message.body
        assert course_session.venue.postcode in message.body
    assert "BEGIN:VCALENDAR" in message.ics_attachment
    assert booking.reference in message.ics_attachment


def test_a_card_payment_confirmation_says_when_where_and_attaches_the_calendar(client, db):
    person = _attendee(db)
    booking, payment = booking_awaiting_payment(db, person=person)

    response = post_event(
        client, checkout_event("evt_conf_1", "checkout.session.completed", payment)
    )

    assert response.status_code == 200 and response.json["outcome"] == "confirmed"
    _assert_full_confirmation(_the_confirmation(db, person), db.session.get(Booking, booking.id))


def test_an_online_session_paid_by_card_gets_the_joining_link(client, db):
    person = _attendee(db)
    course_session = _fee_session(online=True, online_join_url="https://meet.example.org/abc")
    booking, payment = booking_awaiting_payment(db, person=person, course_session=course_session)

    post_event(client, checkout_event("evt_conf_2", "checkout.session.completed", payment))

    message = _the_confirmation(db, person)
    assert "https://meet.example.org/abc" in message.body
    _assert_full_confirmation(message, db.session.get(Booking, booking.id))


def test_an_approved_full_waiver_sends_the_full_confirmation(client, auth, db):
    fund.create_fund(
        year_starting=fund.financial_year_of(utcnow()),
        name="Hardship fund",
        budget_pence=10_000,
        per_person_cap_pence=None,
        by=None,
        now=utcnow(),
    )
    course_session = _fee_session()
    person = _attendee(db)
    db.session.commit()
    auth.login_as(user=person)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    client.post(f"/my/bookings/{reference}/help-with-fee", data={"reason": "benefits", "note": ""})
    auth.logout()
    auth.login_as(Role.ADMIN)
    waiver = db.session.scalars(select(WaiverRequest)).one()

    response = client.post(f"/admin/money/waivers/{waiver.id}", data={"approve": "Approve"})

    assert response.status_code == 303
    booking = db.session.scalars(select(Booking).where(Booking.reference == reference)).one()
    assert booking.status == BookingStatus.CONFIRMED
    message = _the_confirmation(db, person)
    _assert_full_confirmation(message, booking)
    assert "hardship fund" in message.body


def test_a_payment_taken_by_phone_sends_the_full_confirmation(client, auth, db):
    course_session = _fee_session()
    person = _attendee(db)
    db.session.commit()
    auth.login_as(user=person)
    booked = client.post(f"/my/sessions/{course_session.id}/book")
    reference = booked.headers["Location"].rsplit("/", 1)[-1]
    auth.logout()
    auth.login_as(Role.ADMIN)

    done = client.post(
        f"/admin/money/bookings/{reference}/payments",
        data={"method": "phone", "amount": "30.00", "reference": "T9"},
        follow_redirects=True,
    )

    assert "The booking is confirmed" in done.get_data(as_text=True)
    booking = db.session.scalars(select(Booking).where(Booking.reference == reference)).one()
    _assert_full_confirmation(_the_confirmation(db, person), booking)
