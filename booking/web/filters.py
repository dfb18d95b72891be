"""How money and times look to people: pounds and pence, UK local time.

Filters only format the value they are given; they never query the database (a route passes in
what a page needs).
"""

from datetime import datetime

from flask import Flask

from booking.services.clock import LONDON, time_of_day, when


def money(pence: int | None) -> str:
    if not pence:
        return "Free"
    pounds, remainder = divmod(pence, 100)
    return f"£{pounds:,}" if remainder == 0 else f"£{pounds:,}.{remainder:02d}"


def pounds(pence: int | None) -> str:
    """Money for staff pages: £0 shows as £0 (not "Free"), negatives keep their sign."""
    pence = pence or 0
    sign = "−" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LONDON) if moment is not None else None


def short_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = moment.astimezone(LONDON)
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def time_only(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return time_of_day(moment)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money,
        pounds=pounds,
        when=when,
        short_date=short_date,
        time_only=time_only,
        local=local,
    )
