"""Erasure on request: anonymise a person now, with a reason, where the law allows it.

Where records must be kept, the answer is a plain refusal saying why and until when. Payment
amounts are always kept (the accounts need them for six years), without the person's name.
"""

from datetime import datetime

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    AnonymisedRecord,
    Booking,
    CourseSession,
    Payment,
    Referral,
    Refund,
    RefundStatus,
    Role,
    User,
)
from booking.services import audit
from booking.services.clock import long_date
from booking.services.errors import DomainError
from booking.services.privacy import anonymise
from booking.services.privacy.policy import (
    CONTACT,
    NEEDS,
    OFFENCE,
    RetentionPolicy,
    months_after,
)
from booking.services.privacy.retention import start_run
from booking.services.referrals.states import CLOSED_STATES, LIVE_STATES

REFUSALS = {
    "not_an_attendee": "This is a staff or trainer account, not a person who uses our "
    "courses. Ask an administrator to close it instead.",
    "already_erased": "This person's details have already been removed.",
    "referral_live": "Their referral from the police is still open: the force needs to know "
    "whether the course was completed. It can be erased once the referral has ended.",
    "referral_kept": "We must keep their referral record until {until}, so the police force "
    "can check the outcome. It will be removed automatically then.",
    "booking_ahead": "They have a place booked on a session still to come. Cancel the booking "
    "first, then erase their details.",
    "refund_owed": "We still owe them a refund. Erase their details once it has been made.",
    "reason_required": "Give the reason for erasing, for example how and when they asked.",
}


def kept_note(policy: RetentionPolicy) -> str:
    """What an erasure leaves, and why, in the words staff pass on to the person."""
    return (
        "Payment amounts, dates and help-with-fee decisions are kept for "
        f"{policy.payment_months} months for the accounts, without their name."
    )


class ErasureRefused(DomainError):
    http_status = 409

    @property
    def message(self) -> str:
        return REFUSALS[self.code].format(**self.context)


def refusal(person: User, *, policy: RetentionPolicy, now: datetime) -> ErasureRefused | None:
    """Why this person cannot be erased now, or None if they can."""
    if person.role != Role.ATTENDEE:
        return ErasureRefused("not_an_attendee")
    if _done(CONTACT, person.id):
        return ErasureRefused("already_erased")
    referrals = list(db.session.scalars(select(Referral).where(Referral.user_id == person.id)))
    if any(r.status in LIVE_STATES for r in referrals):
        return ErasureRefused("referral_live")
    kept_until = [
        months_after(r.closed_at, policy.offence_months)
        for r in referrals
        if r.status in CLOSED_STATES and r.closed_at is not None
    ]
    if kept_until and max(kept_until) > now:
        return ErasureRefused("referral_kept", until=long_date(max(kept_until)))
    ahead = db.session.scalar(
        select(Booking.id)
        .join(CourseSession, CourseSession.id == Booking.session_id)
        .where(
            Booking.user_id == person.id,
            Booking.status.in_(ACTIVE_STATES),
            CourseSession.ends_at > now,
        )
        .limit(1)
    )
    if ahead is not None:
        return ErasureRefused("booking_ahead")
    owed = db.session.scalar(
        select(Refund.id)
        .join(Payment, Payment.id == Refund.payment_id)
        .join(Booking, Booking.id == Payment.booking_id)
        .where(
            Booking.user_id == person.id,
            Refund.status.in_((RefundStatus.REQUESTED, RefundStatus.FAILED)),
        )
        .limit(1)
    )
    if owed is not None:
        return ErasureRefused("refund_owed")
    return None


def erase(
    person: User, *, reason: str, by: User, policy: RetentionPolicy, now: datetime
) -> dict[str, int]:
    """Anonymise the person's name, contact details, needs, messages and ended referrals now.
    Raises ErasureRefused. Returns how many records of each kind were anonymised."""
    reason = reason.strip()
    if not reason:
        raise ErasureRefused("reason_required")
    refused = refusal(person, policy=policy, now=now)
    if refused is not None:
        raise refused
    referrals = [
        referral_id
        for referral_id in db.session.scalars(
            select(Referral.id).where(Referral.user_id == person.id)
        )
        if not _done(OFFENCE, referral_id)
    ]
    needs = [] if _done(NEEDS, person.id) else [person.id]
    counts = {CONTACT: 1, NEEDS: len(needs), OFFENCE: len(referrals)}
    person_id = person.id
    run = start_run(policy, now=now, trigger="erasure", by=by, counts=counts, is_erasure=True)
    anonymise.contact([person_id], run_id=run.id)
    anonymise.needs(needs, run_id=run.id)
    anonymise.referrals(referrals, run_id=run.id)
    # Written after the scrub, so the reason (which staff may phrase in their own words) stays
    # as the proof of why this was done.
    audit.record("person.erased", "user", person_id, actor=by, now=now, reason=reason[:500])
    db.session.flush()
    db.session.expire_all()
    return counts


def _done(kind: str, entity_id: int) -> bool:
    return (
        db.session.scalar(
            select(AnonymisedRecord.id).where(
                AnonymisedRecord.kind == kind, AnonymisedRecord.entity_id == entity_id
            )
        )
        is not None
    )
