"""Webhooks from providers (Stripe, GOV.UK Notify): no sign-in and no CSRF token, but a verified
signature or bearer token."""

# Each module of pages adds its views to bp when imported.
from booking.webhooks import notify, routes  # noqa: F401
from booking.webhooks.blueprint import bp

__all__ = ["bp"]
