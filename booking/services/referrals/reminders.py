"""Deadlines that escalate: days left, reminders at 14, 7 and 3 days for referrals not booked,
the staff list "near deadline, not booked", and extensions the force agreed."""

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import Referral, ReferralStatus, User
from booking.services import audit
from booking.services.clock import LONDON
from booking.services.errors import ReferralError
from booking.services.locks import relock
from booking.services.notify import messages
from booking.services.referrals import states

REMINDER_DAYS = (14, 7, 3)
NEAR_DEADLINE_DAYS = max(REMINDER_DAYS)


def today_in_uk(now: datetime) -> date:
    return now.astimezone(LONDON).date()


def days_left(referral: Referral, *, today: date) -> int | None:
    """Whole days until the deadline day (0 on the day itself), or None once the referral is
    closed: a closed referral has no deadline to meet."""
    if referral.status not in states.LIVE_STATES:
        return None
    return (referral.deadline - today).days


def near_deadline_unbooked(*, now: datetime, within_days: int = NEAR_DEADLINE_DAYS):
    """Open (not booked) referrals whose deadline is today or within ``within_days`` days,
    soonest first. One query, whatever the number of rows."""
    today = today_in_uk(now)
    return list(
        db.session.scalars(
            select(Referral)
            .options(joinedload(Referral.force), joinedload(Referral.course_type))
            .where(
                Referral.status == ReferralStatus.OPEN,
                Referral.deadline >= today,
                Referral.deadline <= today + timedelta(days=within_days),
            )
            .order_by(Referral.deadline, Referral.id)
        )
    )


def _reminder_due(referral: Referral, today: date) -> int | None:
    """The reminder (14, 7 or 3) this referral should get now, or None. Only the nearest
    threshold passed counts, so a referral made 5 days before its deadline gets the 3-day one
    later, not three reminders at once."""
    left = (referral.deadline - today).days
    passed = [days for days in REMINDER_DAYS if left <= days]
    if not passed or left < 0:
        return None
    due = min(passed)
    already = referral.deadline_reminder_days
    if already is not None and already <= due:
        return None
    return due


def send_deadline_reminders(*, now: datetime, choose_url: str) -> int:
    """Queue each due reminder once (safe to run twice: the last one sent is recorded).
    Messages go only on channels the person said are safe (the outbox decides)."""
    today = today_in_uk(now)
    candidates = db.session.scalars(
        select(Referral)
        .options(joinedload(Referral.user))
        .where(
            Referral.status == ReferralStatus.OPEN,
            Referral.deadline >= today,
            Referral.deadline <= today + timedelta(days=max(REMINDER_DAYS)),
        )
        .with_for_update(of=Referral, skip_locked=True)
    ).all()
    queued = 0
    for referral in candidates:
        due = _reminder_due(referral, today)
        if due is None:
            continue
        left = (referral.deadline - today).days
        if not messages.referral_deadline(referral, days_left=left, choose_url=choose_url, now=now):
            # Nothing was sent (no person yet, or no safe way to reach them): the staff list
            # must not say a reminder went, and the next run tries again.
            continue
        referral.deadline_reminder_days = due
        queued += 1
        audit.record(
            "referral.deadline_reminder", "referral", referral.id, actor=None, now=now, days=due
        )
    db.session.flush()
    return queued


def extend_deadline(
    referral: Referral,
    *,
    new_deadline: date,
    agreed_by: str,
    agreed_on: date,
    by: User | None,
    now: datetime,
) -> Referral:
    """Record the force's decision to give more time: the new deadline, the force-side person
    who agreed and the day they did. The first deadline is kept for the report, and reminders
    start again for the new date. Raises ReferralError for a closed referral or a date that is
    not later than the current deadline."""
    relock(referral)
    if referral.status not in states.LIVE_STATES:
        raise ReferralError("referral_closed")
    agreed_by = agreed_by.strip()
    if not agreed_by:
        raise ReferralError("extension_agreed_by")
    if new_deadline <= referral.deadline:
        raise ReferralError("extension_not_later")
    if referral.original_deadline is None:
        referral.original_deadline = referral.deadline
    previous = referral.deadline
    referral.deadline = new_deadline
    referral.extension_agreed_by = agreed_by[:120]
    referral.extension_agreed_on = agreed_on
    referral.deadline_reminder_days = None
    db.session.flush()
    audit.record(
        "referral.deadline_extended",
        "referral",
        referral.id,
        actor=by,
        now=now,
        previous=previous.isoformat(),
        deadline=new_deadline.isoformat(),
        agreed_by=agreed_by,
        agreed_on=agreed_on.isoformat(),
    )
    return referral
