"""Staff money pages: waiver decisions, the hardship fund, booking payments, reports."""

from booking.staff.money.routes import bp

__all__ = ["bp"]
