"""Reminders two days before a session; each booking is reminded once."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession
from booking.services.notify import messages

REMIND_BEFORE = timedelta(days=2)


def send_reminders(*, now: datetime, base_url: str) -> int:
    """Queue a reminder for each confirmed booking whose session starts within two days and has
    not been reminded. Records ``reminder_sent_at``, so running twice sends nothing more."""
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
    return len(due)
