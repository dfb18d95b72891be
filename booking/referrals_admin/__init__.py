"""Staff pages for referrals: create, upload a CSV, outcome reports."""

from booking.referrals_admin.routes import bp

__all__ = ["bp"]
