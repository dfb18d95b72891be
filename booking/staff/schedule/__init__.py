"""admin blueprint."""

from booking.staff.schedule import needs  # noqa: F401  (adds the need-to-know booking view to bp)
from booking.staff.schedule.routes import bp

__all__ = ["bp"]
