"""Staff money pages: waiver decisions, the hardship fund, booking payments, refunds, reports."""

from booking.staff.money import refunds as _refund_routes  # noqa: F401  (registers its routes)
from booking.staff.money.routes import bp

__all__ = ["bp"]
