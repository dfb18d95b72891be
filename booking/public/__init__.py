"""public blueprint."""

from booking.public.routes import bp

__all__ = ["bp"]
