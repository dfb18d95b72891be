"""One message for several changes made in one action: a series changed or cancelled, an
allocation published. Each person or trainer touched several times hears once, with every
change listed, instead of once per date."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, CourseSession, Notification, NotificationStatus, User
from booking.services import audit
from booking.services.notify import channels as contact
from booking.services.notify import outbox, wording


def _queue(person: User, kind: str, *, now: datetime, **context: Any) -> Notification | None:
    """Queue ``kind`` for ``person`` on their safe channels, worded for each (as every
    message is: notify/wording.py and outbox.queue)."""
    profile = contact.contact_profile(person)
    return outbox.queue(
        person,
        kind=kind,
        wordings=wording.render_all(kind, person=person, profile=profile, **context),
        now=now,
        profile=profile,
    )


def manage_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/my/bookings" if base_url else ""


def take_back_unsent(kind: str | Collection[str], booking_ids: list[int]) -> int:
    """Remove the not-yet-sent rows of ``kind`` (one kind or several) about these bookings, so
    one message that says it all can go instead, or because what they say is out of date.

    Only rows still waiting (pending, or withheld for staff to resend) and never claimed by a
    sender go: a row a sender is claiming right now is locked, so it is skipped and goes out
    as it was. Returns how many rows were taken back."""
    kinds = [kind] if isinstance(kind, str) else list(kind)
    if not booking_ids or not kinds:
        return 0
    rows = db.session.scalars(
        select(Notification)
        .where(
            Notification.kind.in_(kinds),
            Notification.booking_id.in_(booking_ids),
            Notification.status.in_([NotificationStatus.PENDING, NotificationStatus.WITHHELD]),
            Notification.sent_at.is_(None),
            Notification.claimed_at.is_(None),
        )
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        db.session.delete(row)
    db.session.flush()
    return len(rows)


# Messages that say a booking is on (its date and place, a reminder, what is left to pay): once
# the booking has ended or moved, one still waiting to go (for the person's safe hours, say)
# would tell them something no longer so, next to the message that replaces it.
OUT_OF_DATE_ONCE_ENDED = (
    "booking_confirmed",
    "booking_rescheduled",
    "booking_reminder",
    "booking_reminder_today",
    "attendance_check",
    "session_changed",
    "session_message",
    "waiver_decided",
    "pay_link",
)


def take_back_out_of_date(booking: Booking, *, now: datetime) -> int:
    """The booking has ended or moved: its messages not yet sent that say it is on are taken
    back (messages already sent, or being sent, are left as they are). Returns how many."""
    taken = take_back_unsent(OUT_OF_DATE_ONCE_ENDED, [booking.id])
    if taken:
        audit.record(
            "notification.taken_back", "booking", booking.id, actor=None, now=now, count=taken
        )
    return taken


# Messages that give a session's date, time and place: when it changes, one still waiting to
# go would give the old details next to the message about the change.
OUT_OF_DATE_ONCE_CHANGED = (
    "booking_reminder_today",
    "attendance_check",
    "session_changed",
)


def take_back_before_a_change(booking: Booking, *, now: datetime) -> int:
    """The booking's session moved (date, time or place): its reminders not yet sent, and an
    earlier change message, are taken back; a two-day reminder taken back goes again, nearer
    the new time. Returns how many were taken back."""
    reminders = take_back_unsent("booking_reminder", [booking.id])
    if reminders:
        booking.reminder_sent_at = None
    taken = reminders + take_back_unsent(OUT_OF_DATE_ONCE_CHANGED, [booking.id])
    if taken:
        audit.record(
            "notification.taken_back", "booking", booking.id, actor=None, now=now, count=taken
        )
    return taken


def sessions_changed(
    person: User, bookings: list[Booking], *, now: datetime, base_url: str = ""
) -> Notification | None:
    """Several of one person's booked sessions changed in one action (a series moved): one
    message listing each as it is now, instead of one message per date."""
    return _queue(
        person, "sessions_changed", now=now, bookings=bookings, manage_url=manage_url(base_url)
    )


def sessions_cancelled(
    person: User, items: list[tuple[Booking, str]], *, now: datetime
) -> Notification | None:
    """Several of one person's sessions cancelled in one action: one message listing each
    booking with what happens to its money (``items``: booking and its money note)."""
    return _queue(person, "sessions_cancelled", now=now, items=items)


def trainer_sessions_changed(
    trainer: User,
    *,
    kept: list[CourseSession],
    taken_off: list[CourseSession],
    now: datetime,
) -> Notification | None:
    """Several of a trainer's sessions changed in one action: those they still deliver, as
    they are now, and those they were taken off, in one message."""
    return _queue(trainer, "trainer_sessions_changed", now=now, kept=kept, taken_off=taken_off)


def trainer_rota(
    trainer: User,
    *,
    added: list[tuple[CourseSession, bool]],
    removed: list[CourseSession],
    now: datetime,
) -> Notification | None:
    """A published allocation: every session the trainer was added to (with whether they
    lead it) and any taken away, in one message."""
    return _queue(trainer, "trainer_rota", now=now, added=added, removed=removed)


def trainer_sessions_cancelled(
    trainer: User, sessions: list[CourseSession], *, now: datetime
) -> Notification | None:
    """Several sessions a trainer was down for cancelled in one action, in one message."""
    return _queue(trainer, "trainer_sessions_cancelled", now=now, sessions=sessions)
