"""Refunds: staff refunds, the attendee cancellation rule, and refunds made in Stripe itself.

A refund can never exceed what was paid: the payment row is locked, the remaining amount is
checked, and a check constraint (refunded_pence <= amount_pence) backs it up in the database.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

from booking.extensions import db
from booking.integrations.stripe_gateway import StripeGateway
from booking.models import Booking, Payment, PaymentMethod, PaymentStatus, Refund, User
from booking.services import audit
from booking.services.errors import PaymentError


def lock_payment(payment_id: int) -> Payment | None:
    return db.session.get(Payment, payment_id, with_for_update=True, populate_existing=True)


def refund_payment(
    payment_id: int,
    *,
    amount_pence: int | None,
    reason: str,
    by: User | None,
    now: datetime,
    gateway: StripeGateway | None,
) -> Refund:
    """Refund ``amount_pence`` (None: everything left) of one payment.

    Card payments are refunded through Stripe's Refund API while the payment row is locked, so
    two refunds at once cannot together pass the amount paid. Offline payments are recorded as
    given back by staff. Raises PaymentError("payment_not_found" | "amount_invalid" |
    "refund_too_much" | "card_payments_off" | "payment_provider_error").
    """
    payment = lock_payment(payment_id)
    if payment is None:
        raise PaymentError("payment_not_found")
    remaining = payment.refundable_pence
    amount = remaining if amount_pence is None else amount_pence
    if amount is None or amount <= 0:
        raise PaymentError("amount_invalid" if remaining else "refund_too_much")
    if amount > remaining:
        raise PaymentError("refund_too_much")
    stripe_refund_id = None
    if payment.method == PaymentMethod.CARD:
        if gateway is None:
            raise PaymentError("card_payments_off")
        if not payment.stripe_payment_intent_id:
            # A card payment is only marked paid with its PaymentIntent; without one there is
            # nothing at Stripe to refund.
            raise PaymentError("payment_not_found")
        count = len(payment.refunds)
        stripe_refund_id = gateway.refund(
            payment_intent_id=payment.stripe_payment_intent_id,
            amount_pence=amount,
            idempotency_key=f"waypoint-refund-{payment.id}-{count + 1}-{amount}",
        )
    refund = Refund(
        payment_id=payment.id,
        amount_pence=amount,
        stripe_refund_id=stripe_refund_id,
        reason=reason.strip()[:300],
        created_by_id=by.id if by else None,
        created_at=now,
    )
    payment.refunded_pence += amount
    db.session.add(refund)
    db.session.flush()
    audit.record(
        "payment.refunded",
        "payment",
        payment.id,
        actor=by,
        now=now,
        amount_pence=amount,
        booking_id=payment.booking_id,
        reason=reason,
    )
    return refund


def record_refund_from_stripe(
    payment_intent_id: str, *, amount_refunded: int, refund_id: str | None, now: datetime
) -> Refund | None:
    """``charge.refunded``: record what was refunded in Stripe's dashboard and not yet here.

    Stripe reports the charge's running total; the difference from ours is the new refund, so a
    refund we made ourselves (already counted) records nothing. Returns the new refund or None.
    """
    payment = db.session.scalar(
        select(Payment)
        .where(Payment.stripe_payment_intent_id == payment_intent_id)
        .with_for_update()
    )
    if payment is None:
        return None
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
        reason="Refunded in Stripe",
        created_at=now,
    )
    payment.refunded_pence += new_amount
    db.session.add(refund)
    db.session.flush()
    audit.record("payment.refunded_in_stripe", "payment", payment.id, actor=None, now=now)
    return refund


def refund_on_attendee_cancel(
    booking: Booking, *, now: datetime, full_days_before: int, gateway: StripeGateway | None
) -> str:
    """The cancellation rule: cancelled at least ``full_days_before`` days ahead, card payments
    are refunded in full; otherwise (or for offline payments) staff decide. Returns "refunded",
    "staff_decide" or "nothing_paid".
    """
    paid = db.session.scalars(
        select(Payment).where(
            Payment.booking_id == booking.id, Payment.status == PaymentStatus.SUCCEEDED
        )
    ).all()
    paid = [payment for payment in paid if payment.refundable_pence > 0]
    if not paid:
        return "nothing_paid"
    early = booking.session.starts_at - now >= timedelta(days=full_days_before)
    if not early or gateway is None or any(p.method != PaymentMethod.CARD for p in paid):
        audit.record("refund.staff_to_decide", "booking", booking.id, actor=None, now=now)
        return "staff_decide"
    for payment in paid:
        refund_payment(
            payment.id,
            amount_pence=None,
            reason="Cancelled by the attendee in good time",
            by=None,
            now=now,
            gateway=gateway,
        )
    return "refunded"
