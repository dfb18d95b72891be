"""Staff pages for reaching people: calls to make, messages withheld or failed, and the
development outbox (texts and letters when no provider is set up)."""

from booking.staff.contact.routes import bp

__all__ = ["bp"]
