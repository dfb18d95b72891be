"""Stripe webhook events: the source of truth for card payments (ARCHITECTURE.md, rule 6).

Each event id is stored once (unique constraint) in the same transaction as its effect, so a
repeat delivery changes nothing. Locks follow the one order (services/locks.py): the payment's
booking and session are found without locking, then session, booking and payments are locked.
Nothing here calls Stripe: money to give back is a requested refund, sent after the commit.
Events arrive in any order: an ``expired`` after a
``completed`` finds the payment already succeeded and does nothing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.models import (
    EXPIRING_STATES,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)
from booking.services import locks
from booking.services.bookings import cancellation
from booking.services.bookings.ending_policy import EndingPolicy
from booking.services.money import payments, refunds, states
from booking.services.notify import messages

HANDLED = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
}


def handle_event(event: dict, *, now: datetime, policy: EndingPolicy) -> str:
    """Apply one verified event once. Returns what happened, for logs and tests:
    "duplicate", "ignored" (a type we do not use) or the handler's outcome. A seat released
    because a Checkout page lapsed ends by ``policy``, like any other ending.
    """
    event_type = event.get("type", "")
    try:
        with db.session.begin_nested():
            db.session.add(
                StripeEvent(event_id=event["id"], type=event_type[:100], received_at=now)
            )
    except IntegrityError:
        return "duplicate"
    if event_type not in HANDLED:
        return "ignored"
    obj = event.get("data", {}).get("object", {})
    if event_type == "charge.refunded":
        refund_ids = [r.get("id") for r in (obj.get("refunds") or {}).get("data", [])]
        refund = refunds.record_refund_from_stripe(
            obj.get("payment_intent") or "",
            amount_refunded=int(obj.get("amount_refunded") or 0),
            refund_id=refund_ids[0] if refund_ids else None,
            now=now,
        )
        return "refund_recorded" if refund else "refund_known"
    payment = _payment_for(obj)
    if payment is None:
        return "unknown_payment"
    if event_type == "checkout.session.completed":
        if obj.get("payment_status") not in ("paid", "no_payment_required"):
            return "awaiting_async_payment"
        return _paid(payment, obj, now=now)
    if event_type == "checkout.session.async_payment_succeeded":
        return _paid(payment, obj, now=now)
    return _not_paid(payment, now=now, why=event_type.rsplit(".", 1)[-1], policy=policy)


def _payment_for(obj: dict) -> Payment | None:
    """The card payment an event is about, locked in the one order (session, booking, payment)."""
    payment_id = (obj.get("metadata") or {}).get("payment_id", "")
    query = select(Payment.id, Payment.booking_id)
    if payment_id.isdecimal():
        query = query.where(Payment.id == int(payment_id))
    else:
        query = query.where(Payment.stripe_checkout_session_id == obj.get("id"))
    found = db.session.execute(query).first()
    if found is None:
        return None
    locks.lock_booking(found.booking_id)
    payment = next(p for p in locks.lock_payments_of(found.booking_id) if p.id == found.id)
    if payment.method != PaymentMethod.CARD:
        return None
    if obj.get("id") and payment.stripe_checkout_session_id not in (None, obj.get("id")):
        return None  # metadata pointing at another payment's session: trust neither
    return payment


def _paid(payment: Payment, obj: dict, *, now: datetime) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already_paid"
    payment.stripe_checkout_session_id = obj.get("id") or payment.stripe_checkout_session_id
    payment.stripe_payment_intent_id = obj.get("payment_intent") or None
    amount, currency = obj.get("amount_total"), (obj.get("currency") or "").lower()
    if amount != payment.amount_pence or currency != "gbp":
        # Never confirm on a wrong amount: staff look at it and refund or record the difference.
        states.transition(
            payment,
            PaymentStatus.NEEDS_REVIEW,
            by=None,
            now=now,
            expected=payment.amount_pence,
            received=amount,
            currency=currency,
        )
        return "amount_mismatch"
    payments.mark_paid(payment, now=now)
    outcome = payments.settle_paid_booking(payment.booking, now=now)
    if outcome in ("confirmed", "already"):
        _give_back_beyond_fee(payment, now=now)
        return outcome
    # Paid after the place was lost: give the money back and tell the person.
    # The refund is a row; the webhook route sends it to Stripe after the commit.
    refunds.add_refund(
        payment,
        amount_pence=None,
        reason="Automatic refund: no place was free when the payment arrived",
        by=None,
        now=now,
    )
    messages.payment_refunded(payment.booking, now=now)
    return "refunded_no_place"


def _give_back_beyond_fee(payment: Payment, *, now: datetime) -> None:
    """A Checkout opened before the fee was covered another way (paid twice, paid by phone, or
    the hardship fund said yes while the page was open) can still be paid: whatever the
    booking now holds beyond its fee comes back off this payment, and the place is kept."""
    booking = payment.booking
    beyond = payments.paid_pence(booking.id) + payments.waived_pence(booking.id)
    beyond -= booking.fee_pence
    amount = min(beyond, payment.refundable_pence)
    if amount <= 0:
        return
    refunds.add_refund(
        payment,
        amount_pence=amount,
        reason="Automatic refund: the fee was already covered when the payment arrived",
        by=None,
        now=now,
    )
    messages.payment_refunded(booking, now=now, covered_pence=amount)


def _not_paid(payment: Payment, *, now: datetime, why: str, policy: EndingPolicy) -> str:
    """Checkout expired or an async payment failed: release the seat unless paid another way."""
    if payment.status != PaymentStatus.PENDING:
        return "already_settled"
    states.transition(payment, PaymentStatus.FAILED, by=None, now=now, why=why)
    booking = payment.booking  # locked already, with its session, by _payment_for
    other_open = db.session.scalar(
        select(Payment.id).where(
            Payment.booking_id == booking.id,
            Payment.id != payment.id,
            Payment.status == PaymentStatus.PENDING,
        )
    )
    # A hold the person extended outlives this Checkout Session: keep the seat until it lapses,
    # so they can start paying again (expire-holds releases it otherwise).
    hold_still_running = (
        booking.hold_extended
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )
    if booking.status in EXPIRING_STATES and other_open is None and not hold_still_running:
        cancellation.end_booking(booking, reason="expired", by=None, now=now, policy=policy)
        return "released"
    return "kept"
