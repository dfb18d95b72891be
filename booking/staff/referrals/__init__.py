"""Staff pages for referrals: create, upload a CSV, outcome reports."""

from booking.staff.referrals.routes import bp

__all__ = ["bp"]
