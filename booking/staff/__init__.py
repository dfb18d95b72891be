"""The charity staff's pages: one ``staff`` blueprint at /admin, the role gate attached to it
once, and one nested blueprint per area, named after its folder (``staff.schedule``,
``staff.money``, ...). Who may open what is in booking/staff/access.py.
"""

from flask import Blueprint, Flask

from booking.staff import accounts, contact, money, people, privacy, referrals, schedule, trainers
from booking.staff.access import require_staff, roles_for
from booking.web.security import may_open

URL_PREFIX = "/admin"

# Each area's blueprint and where its pages sit under /admin. The schedule area (the dashboard,
# sessions, venues, course types, series, waiting lists) sits at /admin itself.
AREAS: list[tuple[Blueprint, str | None]] = [
    (schedule.bp, None),
    (referrals.bp, "/referrals"),
    (money.bp, "/money"),
    (trainers.bp, "/trainers"),
    (people.bp, "/people"),
    (accounts.bp, "/accounts"),
    (contact.bp, "/contact"),
    (privacy.bp, "/privacy"),
]


def blueprint() -> Blueprint:
    """The ``staff`` parent: its gate runs before every area's own checks and views, so a
    staff page added without a role check of its own is still closed to everyone else."""
    parent = Blueprint("staff", __name__, url_prefix=URL_PREFIX)
    parent.before_request(require_staff)
    for area, url_prefix in AREAS:
        parent.register_blueprint(area, url_prefix=url_prefix)
    return parent


def register(app: Flask) -> None:
    app.register_blueprint(blueprint())
    # Templates ask web.security.may_open, which reads this policy, to hide links a role
    # may not follow.
    app.extensions["roles_for_endpoint"] = roles_for
    app.add_template_global(may_open)
