"""Booking by police reference, without an account to start with."""

from booking.referral.routes import bp

__all__ = ["bp"]
