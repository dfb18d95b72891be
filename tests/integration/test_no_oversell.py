"""Fifty people try to book five places at once: exactly five get one, nobody sees an error page."""

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from booking.models import Booking, BookingStatus, Role
from tests import factories

ATTEMPTS = 50
PLACES = 5


def test_fifty_concurrent_bookings_fill_exactly_five_places(app, db):
    course_session = factories.course_session(capacity=PLACES)
    people = [factories.user(Role.ATTENDEE) for _ in range(ATTEMPTS)]
    session_id = course_session.id
    emails = [person.email for person in people]
    db.session.commit()
    barrier = Barrier(ATTEMPTS)

    def attempt(email: str):
        client = app.test_client()  # a client, cookie jar and database connection of its own
        with app.app_context():
            client.post("/account/login", data={"email": email, "password": factories.PASSWORD})
        barrier.wait()
        with app.app_context():
            response = client.post(f"/my/sessions/{session_id}/book", follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        results = list(pool.map(attempt, emails))

    statuses = [status for status, _ in results]
    assert all(status < 500 for status in statuses), statuses
    booked = [body for _, body in results if "Your place is booked" in body]
    full = [body for _, body in results if "this session is full" in body]
    assert len(booked) == PLACES
    assert len(full) == ATTEMPTS - PLACES
    db.session.rollback()  # end the test's own read snapshot before counting
    confirmed = db.session.query(Booking).filter_by(
        session_id=session_id, status=BookingStatus.CONFIRMED
    )
    assert confirmed.count() == PLACES
