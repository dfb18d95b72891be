"""An attendee pays a fee by card, or asks the hardship fund for help with it."""

from booking.account.payments.routes import bp

__all__ = ["bp"]
