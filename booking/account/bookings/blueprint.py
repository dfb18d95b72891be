"""The ``bookings`` blueprint, shared by this area's modules of pages (none imports another)."""

from flask import Blueprint

bp = Blueprint("bookings", __name__)
