"""The referral state machine: one transition table, one way to change a referral's status.

    open ─┬─> booked ─┬─> completed ─> open | not completed   (staff correct a closed session)
          │           ├─> open          (the booking ended, or the person did not attend)
          │           └─> not completed | withdrawn
          ├─> completed                (attendance recorded while no booking was active)
          └─> not completed | withdrawn
    not completed ─> completed          (staff correct attendance after the deadline)

Every change writes an audit event naming who made it (None for a scheduled job) and the
previous status, so a force's outcome can always be explained.
"""

from datetime import date, datetime

from booking.extensions import db
from booking.models import Referral, ReferralStatus, User
from booking.services import audit
from booking.services.errors import ReferralError
from booking.services.referrals import webhooks

OPEN, BOOKED = ReferralStatus.OPEN, ReferralStatus.BOOKED
COMPLETED, NOT_COMPLETED = ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED
WITHDRAWN = ReferralStatus.WITHDRAWN

TRANSITIONS: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    OPEN: frozenset({BOOKED, COMPLETED, NOT_COMPLETED, WITHDRAWN}),
    BOOKED: frozenset({OPEN, COMPLETED, NOT_COMPLETED, WITHDRAWN}),
    # A corrected attendance record can reopen a completed referral (or, past the deadline,
    # make it not completed) and complete a not-completed one; the police decide what follows.
    COMPLETED: frozenset({OPEN, NOT_COMPLETED}),
    NOT_COMPLETED: frozenset({COMPLETED}),
    WITHDRAWN: frozenset(),
}

# States in which the referral is still waiting for the person to attend.
LIVE_STATES = (OPEN, BOOKED)
CLOSED_STATES = (COMPLETED, NOT_COMPLETED, WITHDRAWN)


def can_move(referral: Referral, to: ReferralStatus) -> bool:
    return to in TRANSITIONS[referral.status]


def transition(
    referral: Referral,
    to: ReferralStatus,
    *,
    by: User | None,
    now: datetime,
    completed_on: date | None = None,
    closed_at: datetime | None = None,
    **detail: object,
) -> Referral:
    """Move ``referral`` to ``to`` and record it. Closing states stamp ``closed_at`` (``now``,
    or the moment given: an overdue referral closed at its deadline, not when noticed); completion
    records ``completed_on`` (required); leaving completion clears it. Raises
    ReferralError("invalid_transition") for a move the table does not allow."""
    if not can_move(referral, to):
        raise ReferralError("invalid_transition", current=referral.status.value, to=to.value)
    if to == COMPLETED and completed_on is None:
        raise ReferralError("invalid_transition", current=referral.status.value, to=to.value)
    previous = referral.status
    referral.status = to
    referral.completed_on = completed_on if to == COMPLETED else None
    referral.closed_at = (closed_at or now) if to in CLOSED_STATES else None
    db.session.flush()
    extra = {"completed_on": completed_on.isoformat()} if completed_on else {}
    audit.record(
        f"referral.{to.value}",
        "referral",
        referral.id,
        actor=by,
        now=now,
        previous=previous.value,
        **extra,
        **detail,
    )
    # Every outcome the police hear about passes here, so its webhook is queued in the same
    # transaction: an outcome is never recorded without its delivery, nor sent without it.
    if to in CLOSED_STATES:
        webhooks.queue_outcome(referral, now=now)
    return referral


def change_completion_date(
    referral: Referral, day: date, *, by: User | None, now: datetime
) -> None:
    """A completed referral's date follows a corrected attendance to another sitting (audited).
    Raises ReferralError("invalid_transition") unless the referral is completed."""
    if referral.status != COMPLETED:
        raise ReferralError("invalid_transition", current=referral.status.value, to=COMPLETED.value)
    if referral.completed_on == day:
        return
    previous = referral.completed_on
    referral.completed_on = day
    db.session.flush()
    audit.record(
        "referral.completion_date_changed",
        "referral",
        referral.id,
        actor=by,
        now=now,
        previous=previous.isoformat() if previous else None,
        completed_on=day.isoformat(),
    )
    webhooks.queue_outcome(referral, now=now)  # the force's copy carries the corrected date
