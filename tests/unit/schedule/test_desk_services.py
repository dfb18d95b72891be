"""Rules behind the coordinator's desk, called directly: series changes across the clock change
and all-or-nothing, skipping a date, waiting-list offers by hand, disposal types tidied."""

from datetime import date, time, timedelta

import pytest

from booking.extensions import db as _db
from booking.models import Role, SessionStatus, WaitingListEntry, WaitingStatus, utcnow
from booking.services.bookings import seats as bookings
from booking.services.bookings import waitlist
from booking.services.errors import BookingError, ScheduleError
from booking.services.schedule import areas, series
from booking.services.schedule import sessions as schedule
from booking.web.filters import LONDON
from tests import factories
from tests.clock import NOW


def _weekly(first_day: date, weeks: int, now):
    admin = factories.user(Role.ADMIN)
    start = schedule.local_datetime(first_day, time(10, 0))
    details = schedule.SessionDetails(
        course_type_id=factories.course_type().id,
        venue_id=factories.venue().id,
        is_online=False,
        online_join_url="",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=8,
        women_only=False,
    )
    created = schedule.create_weekly_series(
        details, last_date=first_day + timedelta(weeks=weeks - 1), by=admin, now=now
    )
    return admin, created


def test_a_new_time_for_a_series_keeps_uk_time_across_the_clock_change(db):
    now = NOW
    admin, created = _weekly(date(2027, 10, 21), 3, now)  # BST, BST, then GMT
    result = series.change_remaining(
        created[0].series_id,
        series.SeriesChange(start_time=time(9, 30), end_time=time(11, 0)),
        by=admin,
        now=now,
    )
    assert result.dates == 3
    local = [s.starts_at.astimezone(LONDON) for s in series.series_sessions(created[0].series_id)]
    assert [t.strftime("%H:%M") for t in local] == ["09:30"] * 3
    assert [t.date() for t in local] == [date(2027, 10, 21), date(2027, 10, 28), date(2027, 11, 4)]


def test_a_series_change_one_date_cannot_take_is_refused_whole(db):
    now = NOW
    admin, created = _weekly(date(2027, 3, 4), 3, now)
    for _ in range(3):
        bookings.book_session(created[2].id, factories.user(), now=now)
    with pytest.raises(ScheduleError) as refused:
        series.change_remaining(
            created[0].series_id, series.SeriesChange(capacity=2), by=admin, now=now
        )
    assert refused.value.code == "capacity_below_bookings"


def test_only_dates_still_to_come_are_changed_or_skipped(db):
    now = NOW
    admin, created = _weekly(date(2027, 3, 4), 3, now)
    later = created[1].starts_at + timedelta(hours=3)  # the first two dates have passed
    assert [s.id for s in series.remaining(created[0].series_id, now=later)] == [created[2].id]
    with pytest.raises(ScheduleError):
        series.skip_date(
            created[0].series_id,
            created[0].id,
            by=admin,
            now=later,
            reason="Too late",
            policy=factories.ENDING_POLICY,
        )
    series.skip_date(
        created[0].series_id,
        created[2].id,
        by=admin,
        now=later,
        reason="Holiday",
        policy=factories.ENDING_POLICY,
    )
    assert [s.status for s in series.series_sessions(created[0].series_id)] == [
        SessionStatus.SCHEDULED,
        SessionStatus.SCHEDULED,
        SessionStatus.CANCELLED,
    ]


def _waiting(session, *, days_ago: int) -> WaitingListEntry:
    entry = WaitingListEntry(
        session_id=session.id,
        user_id=factories.user().id,
        joined_at=utcnow() - timedelta(days=days_ago),
    )
    _db.session.add(entry)
    _db.session.flush()
    return entry


def test_an_offer_by_hand_needs_a_free_place_and_someone_still_waiting(db):
    now = utcnow()
    admin = factories.user(Role.ADMIN)
    session = factories.course_session(capacity=1)
    first, second = _waiting(session, days_ago=2), _waiting(session, days_ago=1)
    waitlist.offer_by_hand(second.id, by=admin, now=now, policy=factories.ENDING_POLICY)
    assert second.status == WaitingStatus.OFFERED and first.status == WaitingStatus.WAITING
    with pytest.raises(BookingError) as full:
        waitlist.offer_by_hand(first.id, by=admin, now=now, policy=factories.ENDING_POLICY)
    assert full.value.code == "no_place_free"
    with pytest.raises(BookingError) as again:
        waitlist.offer_by_hand(second.id, by=admin, now=now, policy=factories.ENDING_POLICY)
    assert again.value.code == "not_waiting"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Community resolution, Conditional caution", "community-resolution,conditional-caution"),
        (" outcome-22 ,, OUTCOME 22 ", "outcome-22"),
        (" , ", ""),
    ],
)
def test_disposal_types_are_stored_tidy(typed, stored):
    assert areas.tidy_disposal_types(typed) == stored
