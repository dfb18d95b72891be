"""Staff pages for staff accounts: invite someone to a role by a single-use link, deactivate."""

from booking.staff.accounts.routes import bp

__all__ = ["bp"]
