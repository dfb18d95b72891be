"""What an attendee's booking page shows about money (the booking page's route passes it in as
``money``: templates never query)."""

from typing import Any

from flask import current_app

from booking.account.payments.forms import PayByCardForm
from booking.models import Booking, BookingStatus
from booking.services.money import payments, queries, refunds


def booking_money(booking: Booking) -> dict[str, Any]:
    """Due, refunded or kept, the latest request for help, and whether cards work."""
    back = refunds.money_back(booking.id) if booking.status == BookingStatus.CANCELLED else {}
    return {
        "refunding": back.get("refunding", 0),
        "refunded": back.get("refunded", 0),
        "kept": back.get("kept", 0),
        "due": payments.amount_due(booking) if booking.fee_pence else 0,
        "waiver": queries.latest_waiver(booking.id),
        "card_enabled": bool(current_app.config.get("STRIPE_SECRET_KEY")),
        "pay_form": PayByCardForm(),
    }
