"""admin blueprint."""

# Each module adds its views to bp when imported.
from booking.staff.schedule import (  # noqa: F401
    areas,
    desk,
    needs,
    series,
    waiting,
)
from booking.staff.schedule.routes import bp

__all__ = ["bp"]
