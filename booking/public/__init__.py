"""public blueprint."""

from booking.public import guest, safety  # noqa: F401  (add their pages to bp)
from booking.public.routes import bp

__all__ = ["bp"]
