"""The referral state machine: one table, one transition(), an audit event for every move."""

import re

import pytest
from sqlalchemy import select

from booking.extensions import db
from booking.models import AuditEvent, Booking, BookingStatus, ReferralStatus, utcnow
from booking.services.bookings import cancellation
from booking.services.errors import ReferralError
from booking.services.referrals import states
from tests import PROJECT_ROOT, factories
from tests.referral_factories import referral

pytestmark = pytest.mark.database

BOOKING_PACKAGE = PROJECT_ROOT / "booking"


def _events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_an_illegal_move_is_refused_with_a_code_and_leaves_no_trace(db):
    row = referral(factories.force(), factories.course_type(), status=ReferralStatus.WITHDRAWN)
    with pytest.raises(ReferralError) as raised:
        states.transition(row, ReferralStatus.OPEN, by=None, now=utcnow())
    assert raised.value.code == "invalid_transition"
    assert "cannot be changed that way" in raised.value.message
    assert row.status == ReferralStatus.WITHDRAWN
    assert _events("referral.open") == []


def test_completion_records_the_date_and_who_with_the_previous_state(db):
    row = referral(factories.force(), factories.course_type(), status=ReferralStatus.BOOKED)
    staff = factories.user()
    day = utcnow().date()
    states.transition(row, ReferralStatus.COMPLETED, by=staff, now=utcnow(), completed_on=day)
    assert (row.status, row.completed_on) == (ReferralStatus.COMPLETED, day)
    assert row.closed_at is not None
    [event] = _events("referral.completed")
    assert (event.actor_id, event.detail["previous"]) == (staff.id, "booked")


def test_cancelling_a_referral_booking_reopens_the_referral_with_an_audit_event(db):
    force, course = factories.force(), factories.course_type()
    person = factories.user()
    row = referral(force, course, status=ReferralStatus.BOOKED, user_id=person.id)
    session = factories.course_session(course_type_row=course)
    booking = Booking(
        reference="CANCELME1",
        session_id=session.id,
        user_id=person.id,
        status=BookingStatus.CONFIRMED,
        referral_id=row.id,
    )
    db.session.add(booking)
    db.session.flush()
    cancellation.cancel_by_attendee(
        booking.id, person, now=utcnow(), policy=factories.ENDING_POLICY
    )
    assert row.status == ReferralStatus.OPEN
    [event] = _events("referral.open")
    assert (event.entity_id, event.actor_id, event.detail["previous"]) == (
        row.id,
        person.id,
        "booked",
    )


def test_no_module_sets_a_referral_status_except_the_state_machine():
    assignment = re.compile(r"\.status\s*=\s*ReferralStatus\.")
    offenders = [
        str(path.relative_to(BOOKING_PACKAGE))
        for path in BOOKING_PACKAGE.rglob("*.py")
        if path.name != "states.py" and assignment.search(path.read_text())
    ]
    assert offenders == []
