"""The rules for what a typed or imported value may be, shared by the web forms and the CSV
import so both refuse the same things with the same reasons (pure functions, no Flask)."""

import unicodedata
from datetime import date, timedelta

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
OLDEST_AGE_YEARS = 120
# How far from today a referral's dates may be, in days (back, ahead).
REFERRAL_DATE_DAYS = (5 * 365, 365)
DEADLINE_DAYS = (5 * 365, 3 * 365)

# Tab, line feed and carriage return are ordinary in a multi-line box; nothing else below
# space is, and PostgreSQL cannot store a NUL byte at all.
_MULTILINE_WHITESPACE = frozenset("\t\n\r")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """True when ``text`` holds a control character (or half of a surrogate pair)."""
    for character in text:
        if multiline and character in _MULTILINE_WHITESPACE:
            continue
        if unicodedata.category(character) in ("Cc", "Cs"):
            return True
    return False


def column_length(column) -> int:
    """The most characters a model's string column stores."""
    return column.property.columns[0].type.length


def years_from(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def birth_date_window(today: date) -> tuple[date, date]:
    """A date of birth a living person could have."""
    return years_from(today, -OLDEST_AGE_YEARS), today


def days_window(today: date, days: tuple[int, int]) -> tuple[date, date]:
    back, ahead = days
    return today - timedelta(days=back), today + timedelta(days=ahead)
