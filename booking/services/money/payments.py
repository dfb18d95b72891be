"""Paying for bookings: what is due, Checkout, settling a paid booking, offline payments.

Only the Stripe webhook (services/stripe_events.py) and staff recording an offline payment ever
mark money as received (rule 4); the return page after Checkout only reads.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from booking.extensions import db
from booking.models import (
    ACTIVE_STATES,
    EXPIRING_STATES,
    SEAT_STATES,
    Booking,
    BookingStatus,
    Payment,
    PaymentMethod,
    PaymentStatus,
    User,
    WaiverRequest,
    WaiverStatus,
)
from booking.services import audit
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError, PaymentError
from booking.services.locks import lock_sessions
from booking.services.notify import outbox

CHECKOUT_MIN_MINUTES = 31  # Stripe refuses a Checkout Session that expires in under 30 minutes
CHECKOUT_MAX_HOURS = 23  # ... or in more than 24 hours


def waived_pence(booking_id: int) -> int:
    """How much of a booking's fee the hardship fund has agreed to pay."""
    return db.session.scalar(
        select(func.coalesce(func.sum(WaiverRequest.approved_pence), 0)).where(
            WaiverRequest.booking_id == booking_id, WaiverRequest.status == WaiverStatus.APPROVED
        )
    )


def paid_pence(booking_id: int) -> int:
    """Money received for a booking and not refunded."""
    return db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount_pence - Payment.refunded_pence), 0)).where(
            Payment.booking_id == booking_id, Payment.status == PaymentStatus.SUCCEEDED
        )
    )


def amount_due(booking: Booking) -> int:
    """The fee, less any waiver, less what has been paid; never below zero."""
    return max(booking.fee_pence - waived_pence(booking.id) - paid_pence(booking.id), 0)


def lock_booking(booking_id: int) -> Booking | None:
    return db.session.get(Booking, booking_id, with_for_update=True, populate_existing=True)


def start_checkout(booking_id: int, *, person: User, now: datetime) -> tuple[Payment, datetime]:
    """Open a pending card payment for what is due on the person's booking.

    Returns the payment and the time the Checkout Session must expire: the hold's end, but at
    least 31 minutes away (Stripe's minimum; the hold is extended to match so the seat is kept
    while Checkout is open) and at most 23 hours away (Stripe's maximum).
    Raises BookingError("not_found"), PaymentError("not_awaiting_payment" | "nothing_to_pay"),
    BookingError("hold_expired").
    """
    booking = lock_booking(booking_id)
    if booking is None or booking.user_id != person.id:
        raise BookingError("not_found")
    if booking.status not in EXPIRING_STATES:
        raise PaymentError("not_awaiting_payment")
    if booking.hold_expires_at is None or booking.hold_expires_at <= now:
        raise BookingError("hold_expired")
    due = amount_due(booking)
    if due <= 0:
        raise PaymentError("nothing_to_pay")
    earliest = now + timedelta(minutes=CHECKOUT_MIN_MINUTES)
    latest = now + timedelta(hours=CHECKOUT_MAX_HOURS)
    expires_at = min(max(booking.hold_expires_at, earliest), latest)
    if booking.hold_expires_at < expires_at:
        booking.hold_expires_at = expires_at
    payment = Payment(
        booking_id=booking.id,
        amount_pence=due,
        method=PaymentMethod.CARD,
        status=PaymentStatus.PENDING,
        created_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record("payment.checkout_started", "payment", payment.id, actor=person, now=now)
    return payment, expires_at


def attach_checkout_session(payment_id: int, checkout_session_id: str) -> None:
    """Remember which Checkout Session belongs to a pending payment."""
    payment = db.session.get(Payment, payment_id)
    payment.stripe_checkout_session_id = checkout_session_id
    db.session.flush()


def settle_paid_booking(booking: Booking, *, now: datetime) -> str:
    """Confirm a booking whose fee is now paid, if it can still have its place.

    Under the session lock: a booking that still holds its seat is confirmed; one whose hold has
    lapsed (or already expired) is confirmed only if a place is free. Returns "confirmed",
    "already" (it already had a confirmed seat) or "no_place" (the caller refunds).
    """
    lock_sessions(booking.session_id)
    booking = lock_booking(booking.id)
    if booking.status in SEAT_STATES and booking.status != BookingStatus.AWAITING_WAIVER:
        return "already"
    if booking.status == BookingStatus.CANCELLED:
        return "no_place"
    holds_seat = booking.status == BookingStatus.AWAITING_WAIVER or (
        booking.status in EXPIRING_STATES
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )
    if not holds_seat:
        course_session = booking.session
        if bookings.seats_taken(course_session.id, now=now) >= course_session.capacity:
            return "no_place"
        if _replaced(booking):
            # The person (or their referral) has booked again since this hold lapsed: two
            # active bookings would break the one-per-person and one-per-referral rules.
            return "no_place"
    if booking.status == BookingStatus.AWAITING_WAIVER:
        _withdraw_pending_waivers(booking, now=now)
    bookings.confirm(booking, by=None, now=now, via="payment")
    outbox.queue_email(
        booking.user,
        kind="booking_confirmed",
        body=f"Thank you. Your booking {booking.reference} is paid and confirmed.",
        now=now,
    )
    return "confirmed"


def _replaced(booking: Booking) -> bool:
    """Whether another active booking took this one's place: same person and session, or
    the same referral."""
    same_place = (Booking.user_id == booking.user_id) & (Booking.session_id == booking.session_id)
    if booking.referral_id is not None:
        same_place = same_place | (Booking.referral_id == booking.referral_id)
    return (
        db.session.scalar(
            select(Booking.id).where(
                Booking.id != booking.id, Booking.status.in_(ACTIVE_STATES), same_place
            )
        )
        is not None
    )


def record_offline_payment(
    booking_id: int,
    *,
    method: PaymentMethod,
    amount_pence: int,
    reference: str,
    by: User,
    now: datetime,
) -> Payment:
    """Staff record a fee paid by phone, bank transfer or cash; it confirms the booking.

    The amount must be exactly what is still due. Raises BookingError("not_found"),
    PaymentError("amount_invalid" | "amount_not_due" | "card_payments_off" | "nothing_to_pay"),
    BookingError("full") when the hold had lapsed and the session has filled.
    """
    if method == PaymentMethod.CARD:
        raise PaymentError("amount_invalid")
    if amount_pence is None or amount_pence <= 0:
        raise PaymentError("amount_invalid")
    booking = lock_booking(booking_id)
    if booking is None:
        raise BookingError("not_found")
    payable = (*EXPIRING_STATES, BookingStatus.AWAITING_WAIVER, BookingStatus.EXPIRED)
    if booking.status not in payable:
        raise PaymentError("not_awaiting_payment")
    due = amount_due(booking)
    if due <= 0:
        raise PaymentError("nothing_to_pay")
    if amount_pence != due:
        raise PaymentError("amount_not_due")
    payment = Payment(
        booking_id=booking.id,
        amount_pence=amount_pence,
        method=method,
        status=PaymentStatus.SUCCEEDED,
        reference=reference.strip()[:120],
        recorded_by_id=by.id,
        created_at=now,
        paid_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    audit.record(
        "payment.recorded_offline",
        "payment",
        payment.id,
        actor=by,
        now=now,
        booking_id=booking.id,
        method=method.value,
        amount_pence=amount_pence,
    )
    if settle_paid_booking(booking, now=now) == "no_place":
        raise BookingError("full")
    return payment


def _withdraw_pending_waivers(booking: Booking, *, now: datetime) -> None:
    """A person who pays in full no longer needs their pending waiver request."""
    pending = db.session.scalars(
        select(WaiverRequest).where(
            WaiverRequest.booking_id == booking.id, WaiverRequest.status == WaiverStatus.PENDING
        )
    ).all()
    for waiver in pending:
        waiver.status = WaiverStatus.DECLINED
        waiver.decided_at = now
        waiver.decision_reason = "Withdrawn: the fee was paid."
        audit.record("waiver.withdrawn", "waiver_request", waiver.id, actor=None, now=now)
