"""public blueprint."""

from booking.public import safety  # noqa: F401  (adds the quick-exit page to bp)
from booking.public.routes import bp

__all__ = ["bp"]
