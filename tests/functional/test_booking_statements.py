"""The booking POST stays light: a bounded number of SQL statements, whatever the data's size."""

from booking.models import Booking, BookingStatus, Role
from tests import factories

# The catalogue booking of a free session, from sign-in check to confirmation message. It was 21;
# what is left is spread over modules shared by every path (see the bench's closing note). Choosing
# the person's safe channel for the confirmation reads their profile, which costs two more.
MOST_STATEMENTS = 16


def _fill(db, course_session, count: int) -> None:
    for number in range(count):
        db.session.add(
            Booking(
                reference=f"FILL{number:04d}",
                session_id=course_session.id,
                user_id=factories.user().id,
                status=BookingStatus.CONFIRMED,
            )
        )
    db.session.commit()


def test_a_booking_runs_the_same_few_statements_on_a_quiet_or_a_busy_session(
    client, auth, db, count_queries
):
    quiet = factories.course_session(capacity=100)
    busy = factories.course_session(capacity=100)
    _fill(db, busy, 60)
    quiet_id, busy_id = quiet.id, busy.id
    auth.login_as(Role.ATTENDEE)

    counts = []
    for session_id in (quiet_id, busy_id):
        with count_queries() as counter:
            response = client.post(f"/my/sessions/{session_id}/book")
        assert response.status_code == 303
        assert "/my/bookings/" in response.headers["Location"]
        # SQLite's explicit BEGIN is not a query; on PostgreSQL there is none.
        counts.append(len([s for s in counter.statements if s != "BEGIN"]))
    assert counts[0] == counts[1], counts
    assert counts[0] <= MOST_STATEMENTS, counts


def test_booking_a_session_that_does_not_exist_is_a_404(client, auth, db):
    auth.login_as(Role.ATTENDEE)
    assert client.post("/my/sessions/999999/book").status_code == 404
    assert db.session.query(Booking).count() == 0
