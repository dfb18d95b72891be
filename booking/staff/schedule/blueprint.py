"""The ``schedule`` blueprint, shared by this area's modules of pages (none imports another)."""

from flask import Blueprint

bp = Blueprint("schedule", __name__)
