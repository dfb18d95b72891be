"""admin blueprint."""

from booking.admin.routes import bp

__all__ = ["bp"]
