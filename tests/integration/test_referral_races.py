"""Races: a reschedule against a booker taking the last place, and claims of one offer."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest

from booking.models import (
    ACTIVE_STATES,
    Booking,
    BookingStatus,
    WaitingListEntry,
    WaitingStatus,
    utcnow,
)
from booking.services.bookings import cancellation, waitlist
from booking.services.bookings import seats as bookings
from tests import factories

pytestmark = pytest.mark.database
ROUNDS = 4


def _signed_in_client(app, email):
    client = app.test_client()
    with app.app_context():
        response = client.post(
            "/account/login", data={"email": email, "password": factories.PASSWORD}
        )
    assert response.status_code == 302
    return client


def test_reschedule_racing_a_booker_for_the_last_place_never_loses_the_original(app, db):
    outcomes = []
    for _ in range(ROUNDS):
        course = factories.course_type()
        original = factories.course_session(course_type_row=course)
        target = factories.course_session(
            course_type_row=course, capacity=1, starts_at=original.starts_at + timedelta(days=2)
        )
        mover, filler = factories.user(), factories.user()
        old = bookings.book_session(original.id, mover, now=utcnow())
        ids = dict(old=old.id, reference=old.reference, target=target.id, mover=mover.id)
        emails = (mover.email, filler.email)
        db.session.commit()
        barrier = Barrier(2)

        def move(email=emails[0], ids=ids, barrier=barrier):
            client = _signed_in_client(app, email)
            barrier.wait()
            with app.app_context():
                return client.post(
                    f"/my/bookings/{ids['reference']}/reschedule",
                    data={"session_id": ids["target"]},
                ).status_code

        def fill(email=emails[1], ids=ids, barrier=barrier):
            client = _signed_in_client(app, email)
            barrier.wait()
            with app.app_context():
                return client.post(f"/my/sessions/{ids['target']}/book").status_code

        with ThreadPoolExecutor(max_workers=2) as pool:
            statuses = [future.result() for future in [pool.submit(move), pool.submit(fill)]]
        assert all(status < 500 for status in statuses), statuses

        db.session.rollback()
        on_target = db.session.query(Booking).filter(
            Booking.session_id == ids["target"], Booking.status.in_(ACTIVE_STATES)
        )
        assert on_target.count() == 1  # never over capacity
        mover_active = (
            db.session.query(Booking)
            .filter(Booking.user_id == ids["mover"], Booking.status.in_(ACTIVE_STATES))
            .all()
        )
        assert len(mover_active) == 1  # exactly one place, old or new, never none
        moved = mover_active[0].session_id == ids["target"]
        if not moved:
            assert mover_active[0].id == ids["old"]
            assert mover_active[0].status == BookingStatus.CONFIRMED
        outcomes.append(moved)
    assert len(outcomes) == ROUNDS


def test_claims_of_one_offer_race_safely_and_walk_ins_cannot_take_the_place(app, db):
    course_session = factories.course_session(capacity=1)
    leaver, waiting = factories.user(), factories.user()
    walk_ins = [factories.user() for _ in range(3)]
    booking = bookings.book_session(course_session.id, leaver, now=utcnow())
    now = utcnow()
    waitlist.join(course_session.id, waiting, now=now)
    cancellation.end_booking(
        booking, reason="attendee", by=leaver, now=now, policy=factories.ENDING_POLICY
    )
    token = db.session.query(WaitingListEntry).one().claim_token
    session_id, waiting_id = course_session.id, waiting.id
    walk_in_emails = [person.email for person in walk_ins]
    db.session.commit()
    attempts = 3 + len(walk_in_emails)
    barrier = Barrier(attempts)

    def claim(_):
        client = app.test_client()
        barrier.wait()
        with app.app_context():
            return client.post(f"/waiting-list/claim/{token}").status_code

    def walk_in(email):
        client = _signed_in_client(app, email)
        barrier.wait()
        with app.app_context():
            return client.post(f"/my/sessions/{session_id}/book").status_code

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        futures = [pool.submit(claim, n) for n in range(3)]
        futures += [pool.submit(walk_in, email) for email in walk_in_emails]
        statuses = [future.result() for future in futures]
    assert all(status < 500 for status in statuses), statuses

    db.session.rollback()
    active = (
        db.session.query(Booking)
        .filter(Booking.session_id == session_id, Booking.status.in_(ACTIVE_STATES))
        .all()
    )
    assert [row.user_id for row in active] == [waiting_id]
    assert db.session.query(WaitingListEntry).one().status == WaitingStatus.CLAIMED
