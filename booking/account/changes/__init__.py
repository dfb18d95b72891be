"""Self-service changes: calendar file, reschedule, waiting lists and claiming an offer."""

from booking.account.changes.routes import bp

__all__ = ["bp"]
