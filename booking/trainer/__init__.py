"""trainer blueprint: roster, attendance, availability, calendar feed."""

from booking.trainer.routes import bp

__all__ = ["bp"]
