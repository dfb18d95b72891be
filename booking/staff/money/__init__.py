"""Staff money pages: waiver decisions, the hardship fund, booking payments, refunds, reports."""

# Each module of pages adds its views to bp when imported.
from booking.staff.money import refunds, routes  # noqa: F401
from booking.staff.money.blueprint import bp

__all__ = ["bp"]
