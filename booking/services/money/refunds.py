"""Refunds: rows written in the transaction that decides them, sent to Stripe after the commit.

A refund can never exceed what was paid: the payment row is locked, the remaining amount is
checked, and a check constraint (refunded_pence <= amount_pence) backs it up in the database.
A card refund starts ``requested``; the sender (booking/jobs/refunds.py) calls Stripe after the
commit, with the refund's id as the idempotency key, and records ``succeeded`` or ``failed`` in a
second short transaction. Money given back by hand (cash, bank, phone) is recorded as done.
Nothing here calls Stripe.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.extensions import db
from booking.models import (
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    Refund,
    RefundStatus,
    User,
)
from booking.services import audit, locks
from booking.services.errors import PaymentError
from booking.services.money import states

# Ended bookings whose money is still held: staff decide whether to give it back.
ENDED_STATES = (BookingStatus.CANCELLED, BookingStatus.EXPIRED)


@dataclass(frozen=True)
class RefundToSend:
    """What the sender needs to call Stripe, read in one short transaction."""

    refund_id: int
    payment_intent_id: str
    amount_pence: int

    @property
    def idempotency_key(self) -> str:
        # One key per refund row: a retry after a timeout can never refund twice.
        return f"waypoint-refund-{self.refund_id}"


def refunds_by_card(payment: Payment) -> bool:
    """The one rule for money that can come back by itself: a card payment Stripe took (it has
    a payment intent) is refunded through Stripe; money paid any other way (cash, bank, phone)
    is for staff to decide and send."""
    return payment.method == PaymentMethod.CARD and bool(payment.stripe_payment_intent_id)


def add_refund(
    payment: Payment, *, amount_pence: int | None, reason: str, by: User | None, now: datetime
) -> Refund:
    """Write a refund of ``amount_pence`` (None: everything left) against a locked payment.

    Card payments get a ``requested`` row for the sender; offline payments are recorded as
    given back. Raises PaymentError("amount_invalid" | "refund_too_much").
    """
    remaining = payment.refundable_pence
    amount = remaining if amount_pence is None else amount_pence
    if amount is None or amount <= 0:
        raise PaymentError("amount_invalid" if remaining else "refund_too_much")
    if amount > remaining:
        raise PaymentError("refund_too_much")
    by_card = payment.method == PaymentMethod.CARD
    refund = Refund(
        payment_id=payment.id,
        amount_pence=amount,
        status=RefundStatus.REQUESTED if by_card else RefundStatus.SUCCEEDED,
        settled_at=None if by_card else now,
        reason=reason.strip()[:300],
        created_by_id=by.id if by else None,
        created_at=now,
    )
    payment.refunded_pence += amount
    db.session.add(refund)
    db.session.flush()
    audit.record(
        "refund.requested" if by_card else "refund.succeeded",
        "refund",
        refund.id,
        actor=by,
        now=now,
        payment_id=payment.id,
        booking_id=payment.booking_id,
        amount_pence=amount,
        reason=reason,
    )
    return refund


def refund_payment(
    payment_id: int,
    *,
    amount_pence: int | None,
    reason: str,
    by: User | None,
    now: datetime,
) -> Refund:
    """Staff refund ``amount_pence`` (None: everything left) of one payment.

    Locks in the one order (session, booking, payment), so two refunds at once cannot together
    pass the amount paid. Raises PaymentError("payment_not_found" | "amount_invalid" |
    "refund_too_much").
    """
    booking_id = db.session.scalar(select(Payment.booking_id).where(Payment.id == payment_id))
    if booking_id is None:
        raise PaymentError("payment_not_found")
    locks.lock_booking(booking_id)
    payment = next(p for p in locks.lock_payments_of(booking_id) if p.id == payment_id)
    return add_refund(payment, amount_pence=amount_pence, reason=reason, by=by, now=now)


def record_refund_from_stripe(
    payment_intent_id: str, *, amount_refunded: int, refund_id: str | None, now: datetime
) -> Refund | None:
    """``charge.refunded``: record what was refunded in Stripe's dashboard and not yet here.

    Stripe reports the charge's running total; the difference from ours is the new refund, so a
    refund we made ourselves (already counted, even while still being sent) records nothing.
    Returns the new refund or None.
    """
    booking_id = db.session.scalar(
        select(Payment.booking_id).where(Payment.stripe_payment_intent_id == payment_intent_id)
    )
    if booking_id is None:
        return None
    locks.lock_booking(booking_id)
    payment = next(
        p
        for p in locks.lock_payments_of(booking_id)
        if p.stripe_payment_intent_id == payment_intent_id
    )
    new_amount = min(amount_refunded, payment.amount_pence) - payment.refunded_pence
    if new_amount <= 0:
        return None
    known = select(Refund.id).where(Refund.stripe_refund_id == refund_id)
    if refund_id and db.session.scalar(known):
        refund_id = None  # that refund is ours already; record the extra without an id
    refund = Refund(
        payment_id=payment.id,
        amount_pence=new_amount,
        stripe_refund_id=refund_id,
        status=RefundStatus.SUCCEEDED,
        settled_at=now,
        reason="Refunded in Stripe",
        created_at=now,
    )
    payment.refunded_pence += new_amount
    db.session.add(refund)
    db.session.flush()
    audit.record("payment.refunded_in_stripe", "payment", payment.id, actor=None, now=now)
    return refund


# --- the sender's steps: each runs in its own short transaction -----------------------------


def refunds_to_send(*, limit: int = 50) -> list[int]:
    """Requested refunds, oldest first."""
    return list(
        db.session.scalars(
            select(Refund.id)
            .where(Refund.status == RefundStatus.REQUESTED)
            .order_by(Refund.id)
            .limit(limit)
        )
    )


def start_sending(refund_id: int, *, now: datetime) -> RefundToSend | None:
    """Claim a requested refund for sending: count the attempt and return what to send, or
    None when it is no longer requested (another sender finished it)."""
    refund = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    if refund is None or refund.status != RefundStatus.REQUESTED:
        return None
    refund.attempts += 1
    db.session.flush()
    return RefundToSend(
        refund_id=refund.id,
        payment_intent_id=refund.payment.stripe_payment_intent_id or "",
        amount_pence=refund.amount_pence,
    )


def record_sent(refund_id: int, *, stripe_refund_id: str, now: datetime) -> Refund | None:
    """Stripe made the refund: mark it succeeded (once; a repeat changes nothing)."""
    refund = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    if refund is None or refund.status != RefundStatus.REQUESTED:
        return None
    refund.stripe_refund_id = stripe_refund_id
    refund.settled_at = now
    refund.failure = ""
    return states.transition(
        refund, RefundStatus.SUCCEEDED, by=None, now=now, stripe_refund_id=stripe_refund_id
    )


def record_failure(refund_id: int, *, why: str, now: datetime) -> Refund | None:
    """Stripe refused or could not be reached: mark it failed, for staff to retry."""
    refund = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    if refund is None or refund.status != RefundStatus.REQUESTED:
        return None
    refund.failure = why[:300]
    return states.transition(refund, RefundStatus.FAILED, by=None, now=now, why=why)


def retry(refund_id: int, *, by: User, now: datetime) -> Refund:
    """Staff send a failed refund again (same row, so the same idempotency key).
    Raises PaymentError("payment_not_found") or DomainError("invalid_transition")."""
    refund = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    if refund is None:
        raise PaymentError("payment_not_found")
    return states.transition(refund, RefundStatus.REQUESTED, by=by, now=now, retry=True)


def refunds_in_trouble() -> list[Refund]:
    """Failed refunds and ones still waiting to be sent, oldest first, for the staff list."""
    return list(
        db.session.scalars(
            select(Refund)
            .options(joinedload(Refund.payment).joinedload(Payment.booking))
            .where(Refund.status.in_([RefundStatus.FAILED, RefundStatus.REQUESTED]))
            .order_by(Refund.id)
        )
    )


def payments_to_decide() -> list[Payment]:
    """Money still held for bookings that have ended (offline payments, or cancelled too late
    for the automatic refund): staff decide whether to give it back."""
    rows = db.session.scalars(
        select(Payment)
        .join(Payment.booking)
        .options(joinedload(Payment.booking).joinedload(Booking.user))
        .where(
            Payment.status == PaymentStatus.SUCCEEDED,
            Payment.refunded_pence < Payment.amount_pence,
            Booking.status.in_(ENDED_STATES),
        )
        .order_by(Payment.id)
    )
    return list(rows)


def money_back(booking_id: int) -> dict[str, int]:
    """For the person's booking page: pence being refunded, refunded, and still kept."""
    payments = db.session.scalars(
        select(Payment)
        .options(joinedload(Payment.refunds))
        .where(Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED)
    ).unique()
    totals = {"refunding": 0, "refunded": 0, "kept": 0}
    for payment in payments:
        totals["kept"] += payment.refundable_pence
        for refund in payment.refunds:
            done = refund.status == RefundStatus.SUCCEEDED
            totals["refunded" if done else "refunding"] += refund.amount_pence
    return totals
