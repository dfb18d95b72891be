"""Webhooks from providers (Stripe, GOV.UK Notify): no sign-in and no CSRF token, but a verified
signature or bearer token."""

from booking.webhooks import notify as _notify_callbacks  # noqa: F401 - registers its routes
from booking.webhooks.routes import bp

__all__ = ["bp"]
