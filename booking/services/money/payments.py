"""Paying for bookings: what is due, Checkout, settling a paid booking, offline payments.

Only the Stripe webhook (services/stripe_events.py) and staff recording an offline payment ever
mark money as received; the return page after Checkout only reads.
"""

from datetime import datetime, timedelta

from sqlalchemy import select

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
    Referral,
    ReferralStatus,
    User,
)
from booking.services import audit, locks
from booking.services.bookings import confirmation
from booking.services.bookings import seats as bookings
from booking.services.errors import BookingError, PaymentError, WaiverError
from booking.services.money import dues, states
from booking.services.money import help_requests as waivers
from booking.services.referrals import states as referral_states

CHECKOUT_MIN_MINUTES = 31  # Stripe refuses a Checkout Session that expires in under 30 minutes
CHECKOUT_MAX_HOURS = 23  # ... or in more than 24 hours


# What is due lives in dues.py (help requests need it too); these names stay for callers.
waived_pence = dues.waived_pence
paid_pence = dues.paid_pence
amount_due = dues.amount_due


lock_existing_booking = locks.lock_existing_booking  # the name other modules know


def start_checkout(booking_id: int, *, person: User, now: datetime) -> tuple[Payment, datetime]:
    """Open a pending card payment for what is due on the person's booking.

    Returns the payment and the time the Checkout Session must expire: the hold's end, but at
    least 31 minutes away (Stripe's minimum; the hold is extended to match so the seat is kept
    while Checkout is open) and at most 23 hours away (Stripe's maximum).
    Raises BookingError("not_found"), PaymentError("not_awaiting_payment" | "nothing_to_pay"),
    BookingError("hold_expired").
    """
    booking = locks.lock_booking(booking_id)
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
    if payment is None:
        raise PaymentError("payment_not_found")
    payment.stripe_checkout_session_id = checkout_session_id
    db.session.flush()


def settle_paid_booking(booking: Booking, *, now: datetime) -> str:
    """Confirm a booking whose fee is now paid, if it can still have its place.

    Under the session lock: a booking that still holds its seat is confirmed; one whose hold has
    lapsed (or already expired) is confirmed only if the session has not begun, a place is free
    and any award given back when it lapsed can be spent again. Returns "confirmed", "already"
    (it already had a confirmed seat), or why it cannot have its place (the caller refunds):
    "no_place", "too_late" or "fund_spent".
    """
    booking = locks.lock_existing_booking(booking.id)
    if booking.status in SEAT_STATES and booking.status != BookingStatus.AWAITING_WAIVER:
        return "already"
    if booking.status == BookingStatus.CANCELLED:
        return "no_place"
    if _referral_taken_elsewhere(booking):
        return "no_place"
    holds_seat = booking.status == BookingStatus.AWAITING_WAIVER or (
        booking.status in EXPIRING_STATES
        and booking.hold_expires_at is not None
        and booking.hold_expires_at > now
    )
    if not holds_seat:
        course_session = booking.session
        if course_session.starts_at <= now:
            return "too_late"  # a lapsed place cannot come back once the session has begun
        if bookings.seats_taken(course_session.id, now=now) >= course_session.capacity:
            return "no_place"
        if _replaced(booking):
            # The person (or their referral) has booked again since this hold lapsed: two
            # active bookings would break the one-per-person and one-per-referral rules.
            return "no_place"
        if not waivers.restore_award(booking, by=None, now=now):
            return "fund_spent"  # the fund's part of the fee is no longer there to spend
    # A person who has paid in full no longer needs their pending request for help.
    waivers.withdraw_pending(booking, by=None, now=now, why="Withdrawn: the fee was paid.")
    was_expired = booking.status == BookingStatus.EXPIRED
    confirmation.confirm_and_tell(booking, by=None, now=now, via="payment")
    if was_expired:
        _rebook_referral(booking, now=now)
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
    # The one lock order: the booking's session, then the booking (services/locks.py).
    booking = locks.lock_booking(booking_id)
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
    outcome = settle_paid_booking(booking, now=now)
    if outcome == "no_place":
        raise BookingError("full")
    if outcome == "too_late":
        raise BookingError("session_started")
    if outcome == "fund_spent":
        raise WaiverError("fund_overspend")
    return payment


def mark_paid(payment: Payment, *, now: datetime, by: User | None = None) -> Payment:
    """A card payment's money arrived (pending or under review -> succeeded)."""
    payment.paid_at = now
    return states.transition(payment, PaymentStatus.SUCCEEDED, by=by, now=now)


def _referral_taken_elsewhere(booking: Booking) -> bool:
    """An expired booking's referral may since have been booked on another session."""
    if booking.referral_id is None or booking.status != BookingStatus.EXPIRED:
        return False
    other = db.session.scalar(
        select(Booking.id).where(
            Booking.referral_id == booking.referral_id,
            Booking.id != booking.id,
            Booking.status.in_(ACTIVE_STATES),
        )
    )
    return other is not None


def _rebook_referral(booking: Booking, *, now: datetime) -> None:
    """A lapsed booking paid after all serves its referral again (open -> booked)."""
    referral = db.session.get(Referral, booking.referral_id) if booking.referral_id else None
    if referral is not None and referral.status == ReferralStatus.OPEN:
        referral_states.transition(referral, ReferralStatus.BOOKED, by=None, now=now)
