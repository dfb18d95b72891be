"""The public pages: the catalogue, the home page, booking without an account, leaving quickly."""

# Each module of pages adds its views to bp when imported.
from booking.public import guest, metrics, routes, safety  # noqa: F401
from booking.public.blueprint import bp

__all__ = ["bp"]
