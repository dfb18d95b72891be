"""Staff pages for referrals: create, upload a CSV, outcome reports."""

# Each module of pages adds its views to bp when imported.
from booking.staff.referrals import contact, deadlines, evidence, forces, routes  # noqa: F401
from booking.staff.referrals.blueprint import bp

__all__ = ["bp"]
