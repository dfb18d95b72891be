"""Staff pages for referrals: create, upload a CSV, outcome reports."""

from booking.staff.referrals import deadlines, forces  # noqa: F401 (their routes join bp)
from booking.staff.referrals.routes import bp

__all__ = ["bp"]
