"""Staff pages for data protection: retention runs, the access log, subject access, erasure."""

from booking.staff.privacy.routes import bp

__all__ = ["bp"]
