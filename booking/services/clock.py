"""UK local time for people: times are stored in UTC and shown in Europe/London."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def in_london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def long_date(moment: datetime | date) -> str:
    """'Tuesday 3 March 2026' in UK time (a date without a time is shown as it is)."""
    if isinstance(moment, datetime):
        moment = in_london(moment)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def time_of_day(moment: datetime) -> str:
    """'10:00am' in UK time (GMT or BST, whichever applies that day)."""
    moment = in_london(moment)
    return moment.strftime("%I:%M").lstrip("0") + moment.strftime("%p").lower()


def when(moment: datetime | None) -> str:
    """'Tuesday 3 March 2026, 10:00am' in UK time."""
    if moment is None:
        return ""
    return f"{long_date(moment)}, {time_of_day(moment)}"
