"""Signing in and out, registering, resetting a password, and an invited member of staff
choosing theirs."""

from booking.auth.routes import bp

__all__ = ["bp"]
