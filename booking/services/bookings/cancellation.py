"""The one way a booking ends, and everything that follows from it.

Every ending goes through ``end_booking``: the person cancels, staff cancel, the session is
cancelled, the referral is withdrawn, the person moves to another session, a hold lapses. It
settles the money, closes or moves help requests, offers the seat to the waiting list, updates
the referral and queues the message, all in the caller's transaction. Nothing irreversible
happens here: a card refund is a ``requested`` row that the sender sends after the commit.

The refund rule: card payments are refunded in full, except when the person cancels less than
``full_refund_days_before`` days before the session; then, and for money paid another way (cash,
bank, phone), staff decide (the staff money pages list it). Help from the hardship fund goes
back to the fund by a ledger entry.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.models import (
    EXPIRING_STATES,
    Booking,
    BookingStatus,
    Payment,
    PaymentStatus,
    Referral,
    ReferralStatus,
    Refund,
    SessionStatus,
    User,
)
from booking.services import audit, locks
from booking.services.bookings import seats, waitlist
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.errors import BookingError
from booking.services.money import help_requests, refunds
from booking.services.notify import digests, messages
from booking.services.referrals import states as referral_states

# Why a booking ended: the words kept on the booking (and shown to staff).
REASONS = {
    "attendee": "Cancelled by the attendee",
    "staff": "Cancelled by staff",
    "session_cancelled": "The session was cancelled",
    "referral_withdrawn": "The referral was withdrawn",
    "moved": "Rescheduled by the attendee",
    "expired": "The held place ran out of time",
}
# Only a person's own late cancellation leaves a card refund to staff; otherwise the ending was
# not their choice (or they gave notice in good time) and they get their money back.
_LATE_CANCELLATION_MATTERS = {"attendee"}


@dataclass
class Ending:
    """What an ending did, for the page's message and for tests."""

    booking: Booking
    reason: str
    moved_to: Booking | None = None
    refunds: list[Refund] = field(default_factory=list)
    to_decide_pence: int = 0  # money kept for now; staff decide (offline, or cancelled late)
    returned_to_fund_pence: int = 0
    help_requests_closed: int = 0
    offers_made: int = 0

    @property
    def refund_ids(self) -> list[int]:
        return [refund.id for refund in self.refunds]

    @property
    def refunded_pence(self) -> int:
        return sum(refund.amount_pence for refund in self.refunds)

    @property
    def money(self) -> str:
        """What happened to the money: "moved", "refunded", "staff_decide" or "nothing_paid"."""
        if self.moved_to is not None:
            return "moved"
        if self.to_decide_pence:
            return "staff_decide"
        return "refunded" if self.refunds else "nothing_paid"


def end_booking(
    booking: Booking,
    *,
    reason: str,
    by: User | None,
    now: datetime,
    policy: EndingPolicy,
    moved_to: Booking | None = None,
) -> Ending:
    """End an active booking and settle everything that hangs on it.

    ``reason`` is a key of REASONS. ``policy`` (ending_policy.py) is the one set of settings
    every ending follows: the freed place is offered to the next person waiting for
    ``policy.offer_hours``, and card payments come back by the refund rule. With ``moved_to``
    (reschedule) the money and any help request move to the new booking instead of being
    settled, and the referral stays booked. The booking (and ``moved_to``) are locked here, in
    the one order (services/locks.py): sessions, bookings, payments, fund; callers need not
    lock them first. Raises BookingError("not_cancellable") when the booking has already
    ended or was attended, or when a person cancels once their session has started.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown ending reason {reason!r}")
    ids = [booking.id] + ([moved_to.id] if moved_to is not None else [])
    booking = {row.id: row for row in locks.lock_bookings(*ids)}[booking.id]
    if reason == "expired":
        if booking.status not in EXPIRING_STATES:
            raise BookingError("not_cancellable")
        seats.transition(booking, BookingStatus.EXPIRED, by=by, now=now)
    else:
        if reason == "attendee" and booking.session.starts_at <= now:
            raise BookingError("not_cancellable")
        seats.mark_cancelled(booking, by=by, now=now, reason=REASONS[reason])
    ending = Ending(booking=booking, reason=reason, moved_to=moved_to)
    # What was waiting to go about this booking (a reminder, its confirmation) is now untrue.
    digests.take_back_out_of_date(booking, now=now)

    if moved_to is not None:
        _move_money(booking, moved_to, by=by, now=now)
    else:
        _settle_money(booking, ending, by=by, now=now, days=policy.full_refund_days_before)
        ending.help_requests_closed = help_requests.withdraw_pending(
            booking, by=by, now=now, why=f"Withdrawn: {REASONS[reason].lower()}."
        )
        ending.returned_to_fund_pence = help_requests.reverse_award(booking, by=by, now=now)
        _reopen_referral(booking, by=by, now=now)

    course_session = booking.session
    if course_session.status == SessionStatus.SCHEDULED:
        # The session is locked already (above): offer_next counts and offers under that lock.
        ending.offers_made = waitlist.offer_next(course_session.id, now=now, policy=policy)
    if moved_to is None:
        _queue_message(ending, now=now)
    audit.record(
        "booking.ended",
        "booking",
        booking.id,
        actor=by,
        now=now,
        reason=reason,
        refunded_pence=ending.refunded_pence,
        to_decide_pence=ending.to_decide_pence,
        returned_to_fund_pence=ending.returned_to_fund_pence,
        moved_to=moved_to.id if moved_to is not None else None,
    )
    return ending


def cancel_by_attendee(
    booking_id: int, person: User, *, now: datetime, policy: EndingPolicy
) -> Ending:
    """A person cancels their own booking, before the session starts.

    The booking is read without a lock to check it is theirs; ``end_booking`` takes the one
    lock and checks again under it. Raises BookingError("not_found" | "not_cancellable")."""
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.user_id != person.id:
        raise BookingError("not_found")
    return end_booking(booking, reason="attendee", by=person, now=now, policy=policy)


def expire_holds(*, now: datetime, policy: EndingPolicy) -> int:
    """End every hold whose time has run out. Safe to run at any time, and twice.

    Each lapsed booking is locked in the one order and checked again, so a payment or a request
    for help that arrived meanwhile keeps its seat.
    """
    lapsed = db.session.scalars(
        select(Booking.id)
        .where(Booking.status.in_(EXPIRING_STATES), Booking.hold_expires_at <= now)
        .order_by(Booking.id)
    ).all()
    count = 0
    for booking_id in lapsed:
        booking = locks.lock_booking(booking_id)
        if (
            booking is None
            or booking.status not in EXPIRING_STATES
            or booking.hold_expires_at is None
            or booking.hold_expires_at > now
        ):
            continue
        end_booking(booking, reason="expired", by=None, now=now, policy=policy)
        count += 1
    return count


def _is_late(booking: Booking, *, now: datetime, days: int) -> bool:
    return booking.session.starts_at - now < timedelta(days=days)


def _refunds_automatically(payment: Payment, *, late: bool, reason: str) -> bool:
    """A card payment comes back by itself unless the person cancelled late; anything else
    (cash, bank, phone, or a late cancellation) is for staff to decide."""
    return refunds.refunds_by_card(payment) and not (late and reason in _LATE_CANCELLATION_MATTERS)


@dataclass
class CancelPreview:
    """What cancelling now would do with the money, for the check page before cancelling."""

    refund_pence: int = 0
    to_decide_pence: int = 0
    late: bool = False


def preview_cancellation(booking: Booking, *, now: datetime, days: int) -> CancelPreview:
    """What ``cancel_by_attendee`` would do with the money if the person cancelled now."""
    late = _is_late(booking, now=now, days=days)
    preview = CancelPreview(late=late)
    payments = db.session.scalars(select(Payment).where(Payment.booking_id == booking.id))
    for payment in payments:
        if payment.refundable_pence <= 0:
            continue
        if _refunds_automatically(payment, late=late, reason="attendee"):
            preview.refund_pence += payment.refundable_pence
        else:
            preview.to_decide_pence += payment.refundable_pence
    return preview


def _settle_money(booking: Booking, ending: Ending, *, by: User | None, now: datetime, days: int):
    late = _is_late(booking, now=now, days=days)
    for payment in locks.lock_payments_of(booking.id):
        if payment.refundable_pence <= 0:
            continue
        if _refunds_automatically(payment, late=late, reason=ending.reason):
            refund = refunds.add_refund(
                payment,
                amount_pence=None,
                reason=f"Automatic refund: {REASONS[ending.reason].lower()}",
                by=by,
                now=now,
            )
            ending.refunds.append(refund)
        else:
            ending.to_decide_pence += payment.refundable_pence
            audit.record(
                "refund.staff_to_decide",
                "payment",
                payment.id,
                actor=by,
                now=now,
                booking_id=booking.id,
                amount_pence=payment.refundable_pence,
            )


def _move_money(old: Booking, new: Booking, *, by: User | None, now: datetime) -> None:
    """Payments and help requests follow the person to their new booking."""
    for payment in locks.lock_payments_of(old.id):
        if payment.status == PaymentStatus.FAILED:
            continue
        payment.booking_id = new.id
        audit.record(
            "payment.moved", "payment", payment.id, actor=by, now=now, old=old.id, new=new.id
        )
    help_requests.move_to_booking(old, new, by=by, now=now)
    db.session.flush()
    if new.status in EXPIRING_STATES and help_requests.has_pending(new):
        # The request keeps the new seat with no time limit, as it kept the old one.
        seats.transition(new, BookingStatus.AWAITING_WAIVER, by=by, now=now, via="moved")
        new.hold_expires_at = None


def _reopen_referral(booking: Booking, *, by: User | None, now: datetime) -> None:
    """The referral's booking ended: it can be booked again (booked -> open)."""
    if booking.referral_id is None:
        return
    referral = db.session.get(Referral, booking.referral_id)
    if referral is not None and referral.status == ReferralStatus.BOOKED:
        referral_states.transition(referral, ReferralStatus.OPEN, by=by, now=now)


def _queue_message(ending: Ending, *, now: datetime) -> None:
    if ending.reason == "expired" and ending.money == "nothing_paid":
        return  # a lapsed hold with nothing paid: the booking page says so; no message
    note = messages.money_note(
        ending.money,
        refunded_pence=ending.refunded_pence,
        returned_to_fund=bool(ending.returned_to_fund_pence),
    )
    if ending.reason == "session_cancelled":
        messages.session_cancelled(ending.booking, now=now, note=note)
    else:
        messages.booking_cancelled(ending.booking, now=now, note=note)
