"""Self-service changes: calendar file, reschedule, waiting lists and claiming an offer."""

from booking.selfservice.routes import bp

__all__ = ["bp"]
