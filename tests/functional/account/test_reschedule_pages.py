"""Moving a booking to another date: the dates offered, the check page, the notice period and
the money that moves with the person."""

from datetime import timedelta

import pytest

from booking.models import (
    AttendeeProfile,
    AuditEvent,
    Booking,
    BookingStatus,
    PaymentMethod,
    Role,
    WaiverReason,
    WaiverRequest,
    WaiverStatus,
    utcnow,
)
from booking.services.bookings import seats as bookings
from booking.services.money import help_requests, payments
from tests import factories
from tests.referral_factories import referral as make_referral

pytestmark = pytest.mark.database


def _soon(days=0, hours=0):
    return utcnow().replace(microsecond=0) + timedelta(days=days, hours=hours)


def _wants_women_only(person, wants: bool) -> None:
    from booking.extensions import db

    profile = db.session.query(AttendeeProfile).filter_by(user_id=person.id).one_or_none()
    if profile is None:
        profile = AttendeeProfile(user_id=person.id)
        db.session.add(profile)
    profile.prefers_women_only = wants
    db.session.flush()


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_dates_offered_are_the_same_course_in_my_area_or_online_before_my_deadline(
    client, db, auth
):
    person = auth.login_as(Role.ATTENDEE)
    _wants_women_only(person, False)
    home = factories.force()
    venue = factories.venue(home, name="Riverside Centre")
    course = factories.course_type(default_fee_pence=0)
    make_referral(home, course, user_id=person.id, deadline=_soon(days=30).date())
    current = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(5))
    later_here = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(12), capacity=4
    )
    online = factories.course_session(course_type_row=course, online=True, starts_at=_soon(9))
    elsewhere = factories.course_session(course_type_row=course, starts_at=_soon(8))
    other_course = factories.course_session(venue_row=venue, starts_at=_soon(8))
    after_deadline = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(40)
    )
    women_only = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(10), women_only=True
    )
    full = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(11), capacity=1
    )
    bookings.book_session(full.id, factories.user(), now=utcnow())
    booking = bookings.book_session(current.id, person, now=utcnow())
    assert booking.referral_id is not None
    db.session.commit()

    page = _page(client, f"/my/bookings/{booking.reference}/reschedule")
    # Soonest first: online (day 9) before the local one (day 12).
    offered = [s.id for s in (online, later_here) if f'/reschedule/{s.id}"' in page]
    assert offered == [online.id, later_here.id]
    assert page.index(f'/reschedule/{online.id}"') < page.index(f'/reschedule/{later_here.id}"')
    for unfit in (elsewhere, other_course, after_deadline, women_only, full, current):
        assert f'/reschedule/{unfit.id}"' not in page
    assert "4 places left" in page
    assert "Cost: Free" in page and "Nothing more to pay" in page
    assert "Women-only group" not in page


def test_women_only_dates_are_shown_to_those_who_asked_and_need_their_confirmation(
    client, db, auth
):
    person = auth.login_as(Role.ATTENDEE)
    _wants_women_only(person, True)
    venue = factories.venue()
    course = factories.course_type()
    current = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(5))
    women_only = factories.course_session(
        course_type_row=course, venue_row=venue, starts_at=_soon(10), women_only=True
    )
    old = bookings.book_session(current.id, person, now=utcnow())
    db.session.commit()

    page = _page(client, f"/my/bookings/{old.reference}/reschedule")
    assert "Women-only group" in page
    check_url = f"/my/bookings/{old.reference}/reschedule/{women_only.id}"
    check = _page(client, check_url)
    assert "I confirm this women-only group is right for me" in check

    refused = client.post(
        f"/my/bookings/{old.reference}/reschedule",
        data={"session_id": women_only.id},
        headers={"Referer": f"http://localhost{check_url}"},
        follow_redirects=True,
    )
    assert "This is a women-only group" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Booking, old.id).status == BookingStatus.CONFIRMED
    assert db.session.query(Booking).filter_by(session_id=women_only.id).count() == 0

    moved = client.post(
        f"/my/bookings/{old.reference}/reschedule",
        data={"session_id": women_only.id, "confirm_women_only": "y"},
    )
    assert moved.status_code == 303
    db.session.expire_all()
    assert db.session.get(Booking, old.id).status == BookingStatus.CANCELLED
    new = db.session.query(Booking).filter_by(session_id=women_only.id).one()
    assert new.status == BookingStatus.CONFIRMED and new.rescheduled_from_id == old.id


def test_inside_the_notice_period_there_are_no_move_buttons_and_the_page_says_why(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    venue = factories.venue()
    course = factories.course_type()
    soon = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(0, 20))
    later = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(9))
    booking = bookings.book_session(soon.id, person, now=utcnow())
    db.session.commit()

    page = _page(client, f"/my/bookings/{booking.reference}/reschedule")
    assert "can no longer be changed online" in page
    assert "please contact us" in page
    assert "Choose this date" not in page
    check = client.get(f"/my/bookings/{booking.reference}/reschedule/{later.id}")
    assert check.status_code == 303
    assert check.headers["Location"].endswith(f"/my/bookings/{booking.reference}/reschedule")


def test_a_free_booking_cannot_be_moved_onto_a_paid_course(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    venue = factories.venue()
    free = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=0), venue_row=venue
    )
    paid = factories.course_session(
        course_type_row=factories.course_type(default_fee_pence=4500), venue_row=venue
    )
    old = bookings.book_session(free.id, person, now=utcnow())
    db.session.commit()

    response = client.post(
        f"/my/bookings/{old.reference}/reschedule",
        data={"session_id": paid.id},
        headers={"Referer": f"http://localhost/my/bookings/{old.reference}/reschedule"},
        follow_redirects=True,
    )
    assert "another date of the same course" in response.get_data(as_text=True)
    assert client.get(f"/my/bookings/{old.reference}/reschedule/{paid.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Booking, old.id).status == BookingStatus.CONFIRMED
    assert db.session.query(Booking).filter_by(session_id=paid.id).count() == 0


def _paid_booking(person, course_session, *, fee_pence):
    booking = bookings.book_session(course_session.id, person, now=utcnow())
    assert booking.fee_pence == fee_pence
    payments.record_offline_payment(
        booking.id,
        method=PaymentMethod.PHONE,
        amount_pence=fee_pence,
        reference="card over the phone",
        by=factories.user(Role.ADMIN),
        now=utcnow(),
    )
    assert booking.status == BookingStatus.CONFIRMED
    return booking


def test_a_dearer_date_waits_for_the_difference(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    venue = factories.venue()
    course = factories.course_type(default_fee_pence=3000)
    current = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(5))
    later = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(9))
    old = _paid_booking(person, current, fee_pence=3000)
    course.default_fee_pence = 4500  # the fee went up after the person paid
    db.session.commit()

    check = _page(client, f"/my/bookings/{old.reference}/reschedule/{later.id}")
    assert "You will pay £15" in check
    response = client.post(
        f"/my/bookings/{old.reference}/reschedule", data={"session_id": later.id}
    )
    assert response.status_code == 303
    db.session.expire_all()
    new = db.session.query(Booking).filter_by(session_id=later.id).one()
    assert new.status == BookingStatus.AWAITING_PAYMENT
    assert new.fee_pence == 4500
    assert payments.amount_due(new) == 1500
    assert new.hold_expires_at is not None
    assert "Please pay the difference" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_a_cheaper_date_is_confirmed_and_the_difference_goes_to_staff_to_give_back(
    client, db, auth
):
    person = auth.login_as(Role.ATTENDEE)
    venue = factories.venue()
    course = factories.course_type(default_fee_pence=4500)
    current = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(5))
    later = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(9))
    old = _paid_booking(person, current, fee_pence=4500)
    course.default_fee_pence = 3000
    db.session.commit()

    check = _page(client, f"/my/bookings/{old.reference}/reschedule/{later.id}")
    assert "You will get £15 back" in check
    client.post(f"/my/bookings/{old.reference}/reschedule", data={"session_id": later.id})
    db.session.expire_all()
    new = db.session.query(Booking).filter_by(session_id=later.id).one()
    assert new.status == BookingStatus.CONFIRMED
    assert payments.paid_pence(new.id) == 4500  # the payment moved with the person
    # Paid by phone, so staff decide how to give the £15 back (a card payment gets a refund row).
    owed = db.session.query(AuditEvent).filter_by(action="refund.staff_to_decide").one()
    assert owed.detail["amount_pence"] == 1500 and owed.detail["booking_id"] == new.id


def test_a_pending_request_for_help_moves_with_the_booking(client, db, auth):
    person = auth.login_as(Role.ATTENDEE)
    venue = factories.venue()
    course = factories.course_type(default_fee_pence=4500)
    current = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(5))
    later = factories.course_session(course_type_row=course, venue_row=venue, starts_at=_soon(9))
    old = bookings.book_session(current.id, person, now=utcnow())
    waiver = help_requests.request_waiver(
        old.id, person=person, reason=WaiverReason.LOW_INCOME, note="", now=utcnow()
    )
    db.session.commit()

    client.post(f"/my/bookings/{old.reference}/reschedule", data={"session_id": later.id})
    db.session.expire_all()
    new = db.session.query(Booking).filter_by(session_id=later.id).one()
    assert new.status == BookingStatus.AWAITING_WAIVER
    assert new.hold_expires_at is None
    moved = db.session.get(WaiverRequest, waiver.id)
    assert moved.booking_id == new.id and moved.status == WaiverStatus.PENDING
    assert db.session.get(Booking, old.id).status == BookingStatus.CANCELLED
