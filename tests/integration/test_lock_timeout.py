"""A booking that cannot have its session's lock in time says "busy" rather than waiting on."""

import time

import pytest
from sqlalchemy import text

from booking.models import Booking, Role
from booking.services.errors import BookingError
from tests import factories
from tests.databases import postgres_url

pytestmark = [
    pytest.mark.database,
    pytest.mark.skipif(
        postgres_url() is None,
        reason="row-lock timeouts only exist on PostgreSQL (set TEST_DATABASE_URL); SQLite "
        "writers wait for its single write lock instead",
    ),
]


def test_a_booking_waiting_too_long_for_its_session_is_told_we_are_busy(app, db, client, auth):
    course_session = factories.course_session(capacity=5)
    session_id = course_session.id
    auth.login_as(Role.ATTENDEE)

    # Someone else holds the session's row lock (a long staff edit, say) and does not let go.
    with db.engine.connect() as holder:
        holder.execute(
            text("SELECT id FROM course_sessions WHERE id = :id FOR UPDATE"), {"id": session_id}
        )
        started = time.monotonic()
        response = client.post(f"/my/sessions/{session_id}/book", follow_redirects=True)
        waited = time.monotonic() - started
        holder.rollback()

    assert response.status_code < 500
    assert BookingError("busy").message in response.get_data(as_text=True)
    assert waited < 30, waited
    assert db.session.query(Booking).filter_by(session_id=session_id).count() == 0
