"""The one way an attendee's page loads a booking named in its URL."""

from flask import abort
from flask_login import current_user

from booking.models import Booking
from booking.services.bookings import queries


def own_booking_or_404(reference: str) -> Booking:
    """The signed-in person's booking, or 404: never another's, nor whether it exists."""
    booking = queries.own_booking(reference, current_user)
    if booking is None:
        abort(404)
    return booking
