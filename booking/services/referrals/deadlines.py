"""Deadlines: a referral still waiting for attendance when its deadline day has passed becomes
"not completed"; one whose attendance was recorded but not yet applied completes."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Booking, BookingStatus, CourseSession, Referral, ReferralStatus
from booking.services.clock import LONDON
from booking.services.notify import messages
from booking.services.referrals import states


def close_overdue(*, now: datetime) -> dict[str, int]:
    """Close referrals whose deadline day has passed. Attended: completed; otherwise not
    completed, with a calm notice queued. Safe to run twice: closed referrals are skipped.
    Referrals are normally completed the day their session closes; this is the backstop.
    Each is stamped closed at the end of its deadline day, however late this runs, so the
    retention periods counted from closing are the ones the rules say."""
    today = now.astimezone(LONDON).date()
    overdue = db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.user))
        .where(Referral.status.in_(states.LIVE_STATES), Referral.deadline < today)
        .with_for_update(of=Referral, skip_locked=True)
    ).all()
    counts = {"completed": 0, "not_completed": 0}
    for referral in overdue:
        attended_on = attended_date(referral)
        if attended_on is not None:
            states.transition(
                referral,
                ReferralStatus.COMPLETED,
                by=None,
                now=now,
                completed_on=attended_on,
                closed_at=end_of_day(referral.deadline),
            )
            counts["completed"] += 1
        else:
            states.transition(
                referral,
                ReferralStatus.NOT_COMPLETED,
                by=None,
                now=now,
                closed_at=end_of_day(referral.deadline),
            )
            counts["not_completed"] += 1
            messages.referral_overdue(referral, now=now)
    db.session.flush()
    return counts


def end_of_day(day: date) -> datetime:
    """The moment a UK day ends (midnight after it, London time), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


def attended_date(referral: Referral):
    """The UK date of the earliest session this referral's person attended, or None."""
    attended_at = db.session.scalar(
        select(CourseSession.starts_at)
        .join(Booking, Booking.session_id == CourseSession.id)
        .where(Booking.referral_id == referral.id, Booking.status == BookingStatus.ATTENDED)
        .order_by(CourseSession.starts_at)
        .limit(1)
    )
    return attended_at.astimezone(LONDON).date() if attended_at is not None else None
