"""Staff pages for trainers: profiles, allocation, manual assignment, staffing views."""

from booking.staff.trainers.routes import bp

__all__ = ["bp"]
