"""Walking people through the door: a reminder two days before a session, the day-before
"are you still coming?" text, and a text on the morning of the session.

The two-days reminder goes on the person's first safe channel and is recorded on the booking
(``reminder_sent_at``); the two texts go only to people who said texts are safe, and each is
recorded as its outbox row, so running any of these twice sends nothing more. Texts wait for
the person's safe hours (see channels.next_safe_moment).
"""

from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, Channel, CourseSession, Notification
from booking.services.clock import LONDON
from booking.services.notify import channels as contact
from booking.services.notify import messages

REMIND_BEFORE = timedelta(days=2)
# The morning-of text is queued from this hour (UK time); it still waits for safe hours.
MORNING_FROM_HOUR = 7


def send_reminders(*, now: datetime, base_url: str) -> int:
    """Queue a reminder for each confirmed booking whose session starts within two days and has
    not been reminded, then the day-before and morning-of texts. Records ``reminder_sent_at``,
    so running twice sends nothing more. Returns how many two-day reminders were queued."""
    due = (
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(joinedload(Booking.session).joinedload(CourseSession.venue))
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                Booking.reminder_sent_at.is_(None),
                CourseSession.starts_at > now,
                CourseSession.starts_at <= now + REMIND_BEFORE,
            )
            .with_for_update(of=Booking, skip_locked=True)
        )
        .unique()
        .all()
    )
    for booking in due:
        booking.reminder_sent_at = now
        messages.booking_reminder(booking, now=now, base_url=base_url)
    db.session.flush()
    send_day_texts(now=now, base_url=base_url)
    return len(due)


def _local_day_bounds(day_offset: int, now: datetime) -> tuple[datetime, datetime]:
    day = now.astimezone(LONDON).date() + timedelta(days=day_offset)
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    return start.astimezone(now.tzinfo), (start + timedelta(days=1)).astimezone(now.tzinfo)


def _not_yet_sent(kind: str):
    return ~exists().where(and_(Notification.booking_id == Booking.id, Notification.kind == kind))


def _bookings_on(start: datetime, end: datetime, kind: str, now: datetime) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .join(Booking.session)
            .options(joinedload(Booking.session).joinedload(CourseSession.venue))
            .where(
                Booking.status == BookingStatus.CONFIRMED,
                CourseSession.starts_at >= max(start, now),
                CourseSession.starts_at < end,
                _not_yet_sent(kind),
            )
            .with_for_update(of=Booking, skip_locked=True)
        ).unique()
    )


def send_day_texts(*, now: datetime, base_url: str) -> dict[str, int]:
    """The day-before "Reply 1 or 2" text and the morning-of text, each once per booking.

    Each is queued only while the person's safe hours are open, so it goes at once: a "your
    booking is tomorrow" text held overnight would arrive on the day itself. A later run that
    day picks up anyone whose safe hours had not started yet.
    """
    counts = {"attendance_check": 0, "booking_reminder_today": 0}
    for booking in _bookings_on(*_local_day_bounds(1, now), "attendance_check", now):
        if not contact.within_safe_hours(booking.user, Channel.TEXT, now):
            continue
        if messages.attendance_check(booking, now=now, base_url=base_url) is not None:
            counts["attendance_check"] += 1
    if now.astimezone(LONDON).hour >= MORNING_FROM_HOUR:
        today = _local_day_bounds(0, now)
        for booking in _bookings_on(*today, "booking_reminder_today", now):
            if not contact.within_safe_hours(booking.user, Channel.TEXT, now):
                continue
            if messages.booking_reminder_today(booking, now=now, base_url=base_url) is not None:
                counts["booking_reminder_today"] += 1
    db.session.flush()
    return counts
