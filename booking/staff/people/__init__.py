"""Staff pages for people: find anyone, see their record, and act for them over the phone."""

from booking.staff.people import actions  # noqa: F401  (adds the acting-for-a-person pages to bp)
from booking.staff.people.routes import bp

__all__ = ["bp"]
