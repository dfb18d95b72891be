"""Stripe webhook events: the source of truth for card payments (ARCHITECTURE.md, rule 6).

Each event id is stored once (unique constraint) in the same transaction as its effect, so a
repeat delivery changes nothing. Events arrive in any order: an ``expired`` after a
``completed`` finds the payment already succeeded and does nothing.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking.extensions import db
from booking.integrations.stripe_gateway import StripeGateway
from booking.models import (
    EXPIRING_STATES,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    StripeEvent,
)
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.money import payments, refunds
from booking.services.notify import messages

HANDLED = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "charge.refunded",
}


def handle_event(event: dict, *, now: datetime, gateway: StripeGateway | None) -> str:
    """Apply one verified event once. Returns what happened, for logs and tests:
    "duplicate", "ignored" (a type we do not use) or the handler's outcome.
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
        return _paid(payment, obj, now=now, gateway=gateway)
    if event_type == "checkout.session.async_payment_succeeded":
        return _paid(payment, obj, now=now, gateway=gateway)
    return _not_paid(payment, now=now, why=event_type.rsplit(".", 1)[-1])


def _payment_for(obj: dict) -> Payment | None:
    payment_id = (obj.get("metadata") or {}).get("payment_id", "")
    query = select(Payment).with_for_update()
    if payment_id.isdigit():
        query = query.where(Payment.id == int(payment_id))
    else:
        query = query.where(Payment.stripe_checkout_session_id == obj.get("id"))
    payment = db.session.scalar(query)
    if payment is None or payment.method != PaymentMethod.CARD:
        return None
    if obj.get("id") and payment.stripe_checkout_session_id not in (None, obj.get("id")):
        return None  # metadata pointing at another payment's session: trust neither
    return payment


def _paid(payment: Payment, obj: dict, *, now: datetime, gateway: StripeGateway | None) -> str:
    if payment.status == PaymentStatus.SUCCEEDED:
        return "already_paid"
    payment.stripe_checkout_session_id = obj.get("id") or payment.stripe_checkout_session_id
    payment.stripe_payment_intent_id = obj.get("payment_intent") or None
    amount, currency = obj.get("amount_total"), (obj.get("currency") or "").lower()
    if amount != payment.amount_pence or currency != "gbp":
        # Never confirm on a wrong amount: staff look at it and refund or record the difference.
        payment.status = PaymentStatus.NEEDS_REVIEW
        audit.record(
            "payment.amount_mismatch",
            "payment",
            payment.id,
            actor=None,
            now=now,
            expected=payment.amount_pence,
            received=amount,
            currency=currency,
        )
        return "amount_mismatch"
    payment.status = PaymentStatus.SUCCEEDED
    payment.paid_at = now
    db.session.flush()
    audit.record("payment.succeeded", "payment", payment.id, actor=None, now=now)
    outcome = payments.settle_paid_booking(payment.booking, now=now)
    if outcome != "no_place" and not (outcome == "already" and _paid_twice(payment)):
        return outcome
    # Paid after the place was lost (or paid twice): give the money back and tell the person.
    if gateway is None:
        audit.record("payment.refund_needed", "payment", payment.id, actor=None, now=now)
        return "refund_needed"
    refunds.refund_payment(
        payment.id,
        amount_pence=None,
        reason="Automatic refund: no place was free when the payment arrived",
        by=None,
        now=now,
        gateway=gateway,
    )
    messages.payment_refunded(payment.booking, now=now)
    return "refunded_no_place"


def _paid_twice(payment: Payment) -> bool:
    """True when another payment already covered this booking's fee."""
    others = db.session.scalars(
        select(Payment).where(
            Payment.booking_id == payment.booking_id,
            Payment.id != payment.id,
            Payment.status == PaymentStatus.SUCCEEDED,
        )
    ).all()
    return any(other.refundable_pence > 0 for other in others)


def _not_paid(payment: Payment, *, now: datetime, why: str) -> str:
    """Checkout expired or an async payment failed: release the seat unless paid another way."""
    if payment.status != PaymentStatus.PENDING:
        return "already_settled"
    payment.status = PaymentStatus.FAILED
    audit.record(f"payment.{why}", "payment", payment.id, actor=None, now=now)
    booking = payments.lock_existing_booking(payment.booking_id)
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
        bookings._move(booking, BookingStatus.EXPIRED, by=None, now=now, via=why)
        return "released"
    return "kept"
