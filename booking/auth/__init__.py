"""auth blueprint."""

from booking.auth.routes import bp

__all__ = ["bp"]
