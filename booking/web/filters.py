"""How money and times look to people: pounds and pence, UK local time.

Filters only format the value they are given; they never query the database (a route passes in
what a page needs).
"""

from datetime import datetime

from flask import Flask

from booking.services.clock import LONDON, time_of_day, when
from booking.services.money.amounts import pounds


def money(pence: int | None) -> str:
    """A price: "Free" when there is nothing to pay, otherwise the amount (``pounds``)."""
    return pounds(pence) if pence else "Free"


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
