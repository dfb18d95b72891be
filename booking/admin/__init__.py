"""admin blueprint."""

from booking.admin import needs  # noqa: F401  (adds the need-to-know booking view to bp)
from booking.admin.routes import bp

__all__ = ["bp"]
