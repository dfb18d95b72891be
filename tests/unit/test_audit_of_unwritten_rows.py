"""Audit events about a row not yet written are written with it, naming it by its id."""

import pytest

from booking.models import AuditEvent, Booking, BookingStatus, Role, utcnow
from booking.services import audit
from booking.services.bookings import seats
from tests import factories


def _events_about(db, booking_id: int) -> list[str]:
    rows = (
        db.session.query(AuditEvent)
        .filter_by(entity_type="booking", entity_id=booking_id)
        .order_by(AuditEvent.id)
        .all()
    )
    return [row.action for row in rows]


def test_a_free_booking_is_written_once_confirmed_with_its_held_and_confirmed_events(
    db, count_queries
):
    course_session = factories.course_session(capacity=3)
    person = factories.user(Role.ATTENDEE)
    db.session.commit()

    with count_queries() as counter:
        booking = seats.book_session(course_session.id, person, now=utcnow())
        db.session.commit()

    writes = [
        statement.split("(")[0].strip()
        for statement in counter.statements
        if statement.startswith(("INSERT", "UPDATE"))
    ]
    assert writes.count("INSERT INTO bookings") == 1, writes
    assert not any(write.startswith("UPDATE bookings") for write in writes), writes
    if db.engine.dialect.name == "postgresql":
        # Both events in one statement (SQLite's driver cannot return many new ids in order).
        assert writes.count("INSERT INTO audit_events") == 1, writes
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    assert _events_about(db, booking.id) == ["booking.held", "booking.confirmed"]


def test_an_event_about_a_row_that_is_never_written_is_refused_at_commit(db):
    person = factories.user(Role.ATTENDEE)
    never_added = Booking(reference="NEVERADD", session_id=1, user_id=person.id)
    audit.record_about("booking.held", "booking", never_added, actor=person)

    with pytest.raises(RuntimeError, match="booking.held"):
        db.session.commit()
    db.session.rollback()


def test_a_refused_row_leaves_no_event_waiting(db):
    person = factories.user(Role.ATTENDEE)
    refused = Booking(reference="REFUSED1", session_id=1, user_id=person.id)
    audit.record_about("booking.held", "booking", refused, actor=person)
    audit.forget_about(refused)

    db.session.commit()
    assert db.session.query(AuditEvent).filter_by(action="booking.held").count() == 0
