"""An attendee's own bookings: book, see, cancel; their preferences; more time on a hold."""

# Each module of pages adds its views to bp when imported.
from booking.account.bookings import preferences, routes  # noqa: F401
from booking.account.bookings.blueprint import bp

__all__ = ["bp"]
