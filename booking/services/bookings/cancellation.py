"""Money when a booking is cancelled: the waiver goes back to the fund, the refund rule applies."""

from datetime import datetime

from booking.integrations.stripe_gateway import StripeGateway
from booking.models import Booking, User
from booking.services.money import help_requests as waivers
from booking.services.money import refunds


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
