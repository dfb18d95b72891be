"""certificates blueprint: an attendee's printable certificate for a completed course."""

from booking.account.certificates.routes import bp

__all__ = ["bp"]
