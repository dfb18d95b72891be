"""How money and times look to people: pounds and pence, UK local time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

LONDON = ZoneInfo("Europe/London")


def money(pence: int | None) -> str:
    if not pence:
        return "Free"
    pounds, remainder = divmod(pence, 100)
    return f"£{pounds:,}" if remainder == 0 else f"£{pounds:,}.{remainder:02d}"


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LONDON) if moment is not None else None


def when(moment: datetime | None) -> str:
    """'Tuesday 3 March 2026, 10:00am' in UK time."""
    if moment is None:
        return ""
    moment = local(moment)
    hour = moment.strftime("%I:%M").lstrip("0")
    return f"{moment:%A} {moment.day} {moment:%B %Y}, {hour}{moment:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


def short_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = local(moment)
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def time_only(moment: datetime | None) -> str:
    if moment is None:
        return ""
    moment = local(moment)
    return moment.strftime("%I:%M").lstrip("0") + moment.strftime("%p").lower()


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        money=money, when=when, short_date=short_date, time_only=time_only, local=local
    )
