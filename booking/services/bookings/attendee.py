"""Booking a place from the catalogue as a signed-in attendee."""

from datetime import datetime

from booking.models import Booking, BookingStatus, User
from booking.services.bookings import seats as bookings
from booking.services.notify import messages


def book_and_confirm(
    session_id: int, person: User, *, now: datetime, hold_minutes: int, base_url: str
) -> Booking:
    """Book a place; one confirmed at once (nothing to pay) gets its confirmation message.

    Paid places are confirmed later by the payment, which sends its own message. Raises what
    ``bookings.book_session`` raises.
    """
    booking = bookings.book_session(session_id, person, now=now, hold_minutes=hold_minutes)
    if booking.status == BookingStatus.CONFIRMED:
        messages.booking_confirmed(booking, now=now, base_url=base_url)
    return booking
