"""Staff pages for people: find anyone, see their record, and act for them over the phone."""

# Each module of pages adds its views to bp when imported.
from booking.staff.people import actions, routes  # noqa: F401
from booking.staff.people.blueprint import bp

__all__ = ["bp"]
