"""Webhooks from payment providers: no sign-in and no CSRF token, but a verified signature."""

from booking.webhooks.routes import bp

__all__ = ["bp"]
