"""Money when a booking is cancelled: the waiver goes back to the fund, the refund rule applies."""

from datetime import datetime

from booking.extensions import db
from booking.integrations.stripe_gateway import StripeGateway
from booking.models import Booking, Referral, ReferralStatus, User
from booking.services.bookings import states, waitlist
from booking.services.money import help_requests as waivers
from booking.services.money import refunds
from booking.services.referrals import states as referral_states


def settle_cancellation(
    booking: Booking,
    *,
    by: User | None,
    now: datetime,
    full_days_before: int,
    gateway: StripeGateway | None,
) -> str:
    """Reverse any hardship award (a ledger entry back into the fund), then apply the attendee
    cancellation rule: card payments refunded in full when cancelled at least
    ``full_days_before`` days ahead, otherwise staff decide. Returns the refund outcome
    ("refunded", "staff_decide" or "nothing_paid"). Raises what refunds.refund_payment raises.
    """
    waivers.reverse_award_on_cancel(booking, by=by, now=now)
    return refunds.refund_on_attendee_cancel(
        booking, now=now, full_days_before=full_days_before, gateway=gateway
    )


def end_booking(
    booking: Booking,
    *,
    reason: str,
    by: User | None,
    now: datetime,
    moved_to: Booking | None = None,
    offer_hours: int = 24,
    claim_url=None,
) -> Booking:
    """End an active booking: cancel it (audited) and offer the freed seat to the waiting list.

    When the person moved to ``moved_to`` their referral stays booked through the new booking,
    and the money moves with them (the reschedule settles it), so nothing is reopened or
    refunded here. Otherwise a booked referral opens again. Raises BookingError
    "not_cancellable". Call with the booking's session locked.
    """
    wording = "Moved to another session" if moved_to is not None else reason
    states.cancel(booking, by=by, now=now, reason=wording)
    if moved_to is None and booking.referral_id:
        referral = db.session.get(Referral, booking.referral_id)
        if referral is not None and referral.status == ReferralStatus.BOOKED:
            referral_states.transition(referral, ReferralStatus.OPEN, by=by, now=now)
    if claim_url is not None:
        waitlist.offer_next(
            booking.session_id, now=now, offer_hours=offer_hours, claim_url=claim_url
        )
    return booking
