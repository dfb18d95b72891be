"""attendee blueprint."""

from booking.attendee.routes import bp

__all__ = ["bp"]
