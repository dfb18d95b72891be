"""Staff pages for trainers: profiles, allocation, manual assignment, staffing views."""

from booking.admin_trainers.routes import bp

__all__ = ["bp"]
