"""The ``referrals`` blueprint, shared by this area's modules of pages (none imports another)."""

from flask import Blueprint

bp = Blueprint("referrals", __name__)
