"""The charity staff's pages, behind one gate.

Each staff area (schedule, trainers, money, referrals) is its own blueprint, so endpoint names
such as ``admin.dashboard`` and ``finance.waiver_queue`` stay as they are. ``register`` puts
``require_staff`` first in front of every one of them: nobody but staff reaches a staff view,
even one that forgets its own check. Finer checks (``role_required`` on a route, for a role
within staff) still run after the gate.
"""

from flask import Blueprint, Flask
from flask.typing import ResponseReturnValue

from booking.models import Role
from booking.web.security import refusal

# Roles that may open staff pages at all. As staff roles are split (scheduler, finance,
# safeguarding), add them here and narrow each area with role_required.
STAFF_ROLES = (Role.ADMIN, Role.SAFEGUARDING)


def require_staff() -> ResponseReturnValue | None:
    """Send strangers to sign in and refuse (403) anyone signed in who is not staff."""
    return refusal(STAFF_ROLES)


def blueprints() -> list[Blueprint]:
    from booking.staff.money import bp as money
    from booking.staff.privacy import bp as privacy
    from booking.staff.referrals import bp as referrals
    from booking.staff.schedule import bp as schedule
    from booking.staff.trainers import bp as trainers

    return [schedule, referrals, money, trainers, privacy]


URL_PREFIXES = {
    "admin": "/admin",
    "referrals_admin": "/admin/referrals",
    "finance": "/admin/money",
    "admin_trainers": "/admin/trainers",
    "privacy_admin": "/admin/privacy",
}


def register(app: Flask, blueprint: Blueprint, *, url_prefix: str) -> None:
    """Register a staff blueprint with the gate as the first thing each request meets."""
    app.register_blueprint(blueprint, url_prefix=url_prefix)
    # Added to the app's own table for this blueprint (not to the shared blueprint object), so
    # building several apps never stacks the gate twice.
    app.before_request_funcs.setdefault(blueprint.name, []).insert(0, require_staff)


def register_all(app: Flask) -> None:
    for blueprint in blueprints():
        register(app, blueprint, url_prefix=URL_PREFIXES[blueprint.name])
