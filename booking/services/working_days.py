"""Working days: Monday to Friday, less the UK's bank holidays.

The bank holidays come from the ``holidays`` package (kept up to date by its maintainers, and
offline), never from a list written here. England and Wales is the calendar unless a force's
area says otherwise (Scotland and Northern Ireland keep different days).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from booking.services.clock import LONDON

ENGLAND_AND_WALES = "ENG"
SCOTLAND = "SCT"
NORTHERN_IRELAND = "NIR"
# A force's country (police_forces.country) to the bank holidays its area keeps.
COUNTRY_CALENDARS = {
    "england": ENGLAND_AND_WALES,
    "wales": ENGLAND_AND_WALES,
    "scotland": SCOTLAND,
    "northern ireland": NORTHERN_IRELAND,
}


@lru_cache(maxsize=64)
def _calendar(region: str, year: int) -> "holidays.HolidayBase":
    return holidays.country_holidays("GB", subdiv=region, years=year)


def region_for_country(country: str | None) -> str:
    """The bank-holiday calendar a force's country keeps (England and Wales unless named)."""
    return COUNTRY_CALENDARS.get((country or "").strip().lower(), ENGLAND_AND_WALES)


def bank_holiday_name(day: date, region: str = ENGLAND_AND_WALES) -> str:
    """The bank holiday's name ("Christmas Day"), or "" on any other day."""
    return _calendar(region, day.year).get(day) or ""


def is_bank_holiday(day: date, region: str = ENGLAND_AND_WALES) -> bool:
    return bool(bank_holiday_name(day, region))


def is_working_day(day: date, region: str = ENGLAND_AND_WALES) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day, region)


def next_working_day(day: date, region: str = ENGLAND_AND_WALES) -> date:
    """The first working day after ``day``."""
    following = day + timedelta(days=1)
    while not is_working_day(following, region):
        following += timedelta(days=1)
    return following


def add_working_days(day: date, count: int, region: str = ENGLAND_AND_WALES) -> date:
    """The working day ``count`` working days after ``day`` (``day`` itself for 0, moved on
    to a working day if it is not one)."""
    result = day if is_working_day(day, region) else next_working_day(day, region)
    for _ in range(count):
        result = next_working_day(result, region)
    return result


def at_local(day: date, hour: int) -> datetime:
    """``hour`` o'clock UK time on ``day``, as an aware datetime (GMT or BST as it falls)."""
    return datetime.combine(day, time(hour=hour), tzinfo=LONDON)


def local_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
