"""Booking rules, called directly with ``now`` passed in."""

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from booking.models import Booking, BookingStatus, Role, SessionStatus, utcnow
from booking.services.bookings import cancellation
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError
from tests import factories


def _now():
    return utcnow().replace(microsecond=0)


def test_free_course_confirms_at_once(db):
    now = _now()
    course_session = factories.course_session(capacity=3)
    person = factories.user()
    booking = bookings.book_session(course_session.id, person, now=now)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.hold_expires_at is None
    assert booking.confirmed_at == now
    assert bookings.places_left(course_session, now=now) == 2


def test_course_with_a_fee_waits_for_payment_and_keeps_a_hold(db):
    now = _now()
    course_type = factories.course_type(default_fee_pence=3500)
    course_session = factories.course_session(course_type_row=course_type)
    booking = bookings.book_session(course_session.id, factories.user(), now=now, hold_minutes=30)
    assert booking.status == BookingStatus.AWAITING_PAYMENT
    assert booking.fee_pence == 3500
    assert booking.hold_expires_at == now + timedelta(minutes=30)


def test_expired_holds_no_longer_count_and_are_released(db):
    now = _now()
    course_session = factories.course_session(capacity=1)
    booking = bookings.hold_seat(course_session.id, factories.user(), now=now, hold_minutes=30)
    assert bookings.places_left(course_session, now=now) == 0
    later = now + timedelta(minutes=31)
    assert bookings.places_left(course_session, now=later) == 1  # a lapsed hold takes no seat
    assert (
        cancellation.expire_holds(now=now + timedelta(minutes=29), policy=factories.ENDING_POLICY)
        == 0
    )
    assert cancellation.expire_holds(now=later, policy=factories.ENDING_POLICY) == 1
    assert booking.status == BookingStatus.EXPIRED
    assert (
        cancellation.expire_holds(now=later, policy=factories.ENDING_POLICY) == 0
    )  # running it twice does nothing more
    bookings.hold_seat(course_session.id, factories.user(), now=later)


def test_full_session_refuses_and_awaiting_waiver_counts(db):
    now = _now()
    course_session = factories.course_session(capacity=1)
    waiting = bookings.hold_seat(course_session.id, factories.user(), now=now, hold_minutes=1)
    waiting.status = BookingStatus.AWAITING_WAIVER  # a waiver request keeps the seat, no expiry
    db.session.flush()
    with pytest.raises(BookingError) as refused:
        bookings.hold_seat(course_session.id, factories.user(), now=now + timedelta(days=1))
    assert refused.value.code == "full"
    assert "this session is full" in refused.value.message


def test_one_active_booking_per_person_by_the_service(db):
    now = _now()
    course_session = factories.course_session()
    person = factories.user()
    bookings.book_session(course_session.id, person, now=now)
    with pytest.raises(BookingError) as refused:
        bookings.book_session(course_session.id, person, now=now)
    assert refused.value.code == "already_booked"
    assert refused.value.message == "You already have a place on this session."


def test_one_active_booking_per_person_by_the_database(db):
    course_session = factories.course_session()
    person = factories.user()
    for reference in ("AAAA1111", "BBBB2222"):
        db.session.add(
            Booking(
                reference=reference,
                session_id=course_session.id,
                user_id=person.id,
                status=BookingStatus.CONFIRMED,
            )
        )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_cancelled_booking_does_not_block_a_new_one(db):
    now = _now()
    course_session = factories.course_session(capacity=1)
    person = factories.user()
    first = bookings.book_session(course_session.id, person, now=now)
    cancellation.cancel_by_attendee(first.id, person, now=now, policy=factories.ENDING_POLICY)
    assert first.status == BookingStatus.CANCELLED
    second = bookings.book_session(course_session.id, person, now=now)
    assert second.status == BookingStatus.CONFIRMED
    assert second.id != first.id


def test_cannot_book_a_started_or_cancelled_session(db):
    now = _now()
    started = factories.course_session(starts_at=now - timedelta(minutes=5))
    with pytest.raises(BookingError) as refused:
        bookings.book_session(started.id, factories.user(), now=now)
    assert refused.value.code == "session_started"
    cancelled = factories.course_session(status=SessionStatus.CANCELLED)
    with pytest.raises(BookingError) as refused:
        bookings.book_session(cancelled.id, factories.user(), now=now)
    assert refused.value.code == "session_not_open"


def test_a_person_cannot_cancel_another_persons_booking(db):
    now = _now()
    course_session = factories.course_session()
    owner = factories.user()
    booking = bookings.book_session(course_session.id, owner, now=now)
    with pytest.raises(BookingError) as refused:
        cancellation.cancel_by_attendee(
            booking.id, factories.user(), now=now, policy=factories.ENDING_POLICY
        )
    assert refused.value.code == "not_found"
    assert booking.status == BookingStatus.CONFIRMED


def test_cannot_cancel_after_the_session_started(db):
    now = _now()
    course_session = factories.course_session(starts_at=now + timedelta(hours=1))
    person = factories.user()
    booking = bookings.book_session(course_session.id, person, now=now)
    with pytest.raises(BookingError) as refused:
        cancellation.cancel_by_attendee(
            booking.id, person, now=now + timedelta(hours=2), policy=factories.ENDING_POLICY
        )
    assert refused.value.code == "not_cancellable"


def test_hold_seat_leaves_role_checks_to_the_route(db):
    # The service itself does not check roles; the route does. A trainer row can still hold a seat.
    now = _now()
    course_session = factories.course_session()
    booking = bookings.hold_seat(course_session.id, factories.user(Role.TRAINER), now=now)
    assert booking.status == BookingStatus.HELD
