"""Staff schedule pages at /admin: the dashboard, sessions, venues, course types, series,
waiting lists, forces and schemes, and one booking's needs."""

# Each module of pages adds its views to bp when imported.
from booking.staff.schedule import areas, desk, needs, routes, series, waiting  # noqa: F401
from booking.staff.schedule.blueprint import bp

__all__ = ["bp"]
