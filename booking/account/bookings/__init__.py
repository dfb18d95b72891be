"""attendee blueprint."""

from booking.account.bookings import preferences  # noqa: F401  (adds its routes to bp)
from booking.account.bookings.routes import bp

__all__ = ["bp"]
