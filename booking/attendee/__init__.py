"""attendee blueprint."""

from booking.attendee import preferences  # noqa: F401  (adds its routes to bp)
from booking.attendee.routes import bp

__all__ = ["bp"]
