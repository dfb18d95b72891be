"""The ``webhooks`` blueprint, shared by this area's modules of pages (none imports another)."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)
