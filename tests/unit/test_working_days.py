"""Working days know the UK's bank holidays, and so does scheduling: the series tool and the
demo leave bank holidays out."""

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from booking.demo.seed import seed_demo
from booking.models import CourseSession, Role
from booking.services import working_days
from booking.services.clock import LONDON
from booking.services.schedule import sessions as schedule
from tests import factories

# A fixed moment well before the Christmas the tests look at.
NOW = datetime(2030, 12, 2, 9, 0, tzinfo=UTC)


def test_bank_holidays_are_not_working_days_in_england_and_wales():
    assert not working_days.is_working_day(date(2030, 12, 25))  # Christmas Day, a Wednesday
    assert not working_days.is_working_day(date(2030, 12, 26))  # Boxing Day
    assert not working_days.is_working_day(date(2031, 4, 14))  # Easter Monday 2031
    assert working_days.is_working_day(date(2030, 12, 27))
    assert not working_days.is_working_day(date(2030, 12, 28))  # a Saturday
    assert working_days.bank_holiday_name(date(2030, 12, 25)) == "Christmas Day"


def test_scotland_keeps_its_own_bank_holidays():
    scotland = working_days.region_for_country("Scotland")
    assert not working_days.is_working_day(date(2031, 1, 2), scotland)
    assert working_days.is_working_day(date(2031, 1, 2))  # in England and Wales
    assert working_days.region_for_country("Wales") == working_days.ENGLAND_AND_WALES


def test_next_working_day_steps_over_a_bank_holiday_weekend():
    # Friday 23 May 2031, before the spring bank holiday on Monday 26 May.
    assert working_days.next_working_day(date(2031, 5, 23)) == date(2031, 5, 27)
    assert working_days.add_working_days(date(2030, 12, 24), 1) == date(2030, 12, 27)
    assert working_days.add_working_days(date(2030, 12, 24), 0) == date(2030, 12, 24)


def test_weekly_series_leaves_out_christmas_day(db):
    # Wednesdays from 18 December 2030: the 25th is Christmas Day, 1 January a bank holiday.
    start = schedule.local_datetime(date(2030, 12, 18), time(10, 0))
    details = schedule.SessionDetails(
        course_type_id=factories.course_type().id,
        venue_id=factories.venue().id,
        is_online=False,
        online_join_url="",
        starts_at=start,
        ends_at=schedule.local_datetime(date(2030, 12, 18), time(12, 0)),
        capacity=8,
        women_only=False,
    )
    created = schedule.create_weekly_series(
        details, last_date=date(2031, 1, 8), by=factories.user(Role.ADMIN), now=NOW
    )
    days = [row.starts_at.astimezone(LONDON).date() for row in created]
    assert days == [date(2030, 12, 18), date(2031, 1, 8)]


def test_demo_puts_no_session_on_a_bank_holiday(db):
    seed_demo(now=NOW)
    starts = db.session.scalars(select(CourseSession.starts_at)).all()
    days = {moment.astimezone(LONDON).date() for moment in starts}
    assert days, "the demo made sessions"
    assert not [day for day in days if working_days.is_bank_holiday(day)]
