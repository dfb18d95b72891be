"""Pages for a police force's own staff (force contacts), scoped to their one force."""

from booking.force.routes import bp

__all__ = ["bp"]
