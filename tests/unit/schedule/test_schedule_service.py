"""Scheduling rules: weekly series across the clock change, limits, capacity and cancelling."""

from datetime import date, datetime, time, timedelta

import pytest

from booking.models import AttendeeProfile, BookingStatus, Notification, Role, SessionStatus, utcnow
from booking.services.bookings import seats as bookings
from booking.services.errors import ScheduleError
from booking.services.schedule import sessions as schedule
from booking.web.filters import LONDON
from tests import factories
from tests.clock import NOW


def _details(venue, course_type, start: datetime, hours: int = 2, **fields):
    values = dict(
        course_type_id=course_type.id,
        venue_id=venue.id,
        is_online=False,
        online_join_url="",
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=8,
        women_only=False,
    )
    values.update(fields)
    return schedule.SessionDetails(**values)


def test_weekly_series_keeps_local_time_across_the_october_clock_change(db):
    admin = factories.user(Role.ADMIN)
    start = schedule.local_datetime(date(2030, 10, 10), time(10, 0))  # a Thursday in BST
    details = _details(factories.venue(), factories.course_type(), start)
    created = schedule.create_weekly_series(details, last_date=date(2030, 11, 7), by=admin, now=NOW)
    assert len(created) == 5
    local_starts = [s.starts_at.astimezone(LONDON) for s in created]
    assert [s.date() for s in local_starts] == [date(2030, 10, d) for d in (10, 17, 24, 31)] + [
        date(2030, 11, 7)
    ]
    assert {s.time() for s in local_starts} == {time(10, 0)}
    # In UTC the hour moves by one when the clocks go back (27 October 2030).
    assert created[0].starts_at.astimezone(LONDON).utcoffset() == timedelta(hours=1)
    assert created[-1].starts_at.astimezone(LONDON).utcoffset() == timedelta(0)
    assert len({s.series_id for s in created}) == 1


def test_series_over_sixty_sessions_is_refused(db):
    start = schedule.local_datetime(date(2030, 1, 7), time(18, 0))
    details = _details(factories.venue(), factories.course_type(), start)
    with pytest.raises(ScheduleError) as refused:
        schedule.create_weekly_series(
            details, last_date=date(2031, 6, 1), by=factories.user(Role.ADMIN), now=NOW
        )
    assert "at most 60" in refused.value.message


def test_series_ending_before_it_starts_is_refused(db):
    start = schedule.local_datetime(date(2030, 3, 7), time(18, 0))
    details = _details(factories.venue(), factories.course_type(), start)
    with pytest.raises(ScheduleError) as refused:
        schedule.create_weekly_series(
            details, last_date=date(2030, 3, 1), by=factories.user(Role.ADMIN), now=NOW
        )
    assert refused.value.code == "invalid_range"


def test_capacity_cannot_drop_below_seats_taken(db):
    now = utcnow()
    course_session = factories.course_session(capacity=3)
    for _ in range(2):
        bookings.book_session(course_session.id, factories.user(), now=now)
    details = _details(
        course_session.venue, course_session.course_type, course_session.starts_at, capacity=1
    )
    with pytest.raises(ScheduleError) as refused:
        schedule.update_session(course_session.id, details, by=factories.user(Role.ADMIN), now=now)
    assert refused.value.code == "capacity_below_bookings"
    details.capacity = 2
    schedule.update_session(course_session.id, details, by=factories.user(Role.ADMIN), now=now)
    assert course_session.capacity == 2


def test_cancelling_a_session_cancels_bookings_and_queues_a_neutral_notice(db):
    now = utcnow()
    course_session = factories.course_session()
    person = factories.user()
    db.session.add(AttendeeProfile(user_id=person.id, email_is_safe=True))
    booking = bookings.book_session(course_session.id, person, now=now)
    count = schedule.cancel_session(
        course_session.id,
        by=factories.user(Role.ADMIN),
        now=now,
        reason="Trainer unwell",
        policy=factories.ENDING_POLICY,
    )
    assert count == 1
    assert course_session.status == SessionStatus.CANCELLED
    assert booking.status == BookingStatus.CANCELLED
    notice = db.session.query(Notification).filter_by(user_id=person.id).one()
    assert notice.subject == "A change to your booking"
    for word in ("drug", "alcohol", "police", course_session.course_type.name.lower()):
        assert word not in notice.subject.lower()


def test_cancelling_or_changing_an_unknown_session_is_a_plain_error(db):
    admin = factories.user(Role.ADMIN)
    with pytest.raises(ScheduleError) as refused:
        schedule.cancel_session(
            999999, by=admin, now=NOW, reason="x", policy=factories.ENDING_POLICY
        )
    assert refused.value.message == "We could not find that session."
    start = schedule.local_datetime(date(2030, 3, 7), time(18, 0))
    details = _details(factories.venue(), factories.course_type(), start)
    with pytest.raises(ScheduleError):
        schedule.update_session(999999, details, by=admin, now=NOW)
