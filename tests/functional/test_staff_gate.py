"""One gate in front of every staff page: nobody but staff reaches a staff view.

The gate runs before each staff blueprint's own checks and views, so a staff page added
without a role check of its own is still closed to attendees, trainers and strangers.
"""

import pytest
from flask import Blueprint, current_app

from booking import create_app, staff
from booking.extensions import db
from booking.models import Role
from config import TestConfig

STAFF_BLUEPRINTS = {
    "admin",
    "finance",
    "referrals_admin",
    "admin_trainers",
    "staff_people",
    "staff_accounts",
    "privacy_admin",
    "contact",
}


def test_every_staff_blueprint_has_the_gate_first(app):
    """The probe page below is registered through the same helper, so it is gated too."""
    names = {blueprint.name for blueprint in staff.blueprints()}
    assert names == STAFF_BLUEPRINTS
    for name in [*STAFF_BLUEPRINTS, "probe_staff_page"]:
        assert app.before_request_funcs[name][0] is staff.require_staff, name


def test_staff_blueprints_keep_their_endpoint_names(app):
    endpoints = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()}
    assert STAFF_BLUEPRINTS <= endpoints


@pytest.fixture
def app(database_url):
    """The app with one extra staff page that has no role check of its own."""
    probe = Blueprint("probe_staff_page", __name__)

    @probe.get("/")
    def page():
        current_app.extensions["probe_views_run"].append(True)
        return "staff only"

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.extensions["probe_views_run"] = []
    staff.register(app, probe, url_prefix="/admin/probe")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("visitor", "status"),
    [("anonymous", 302), (Role.ATTENDEE, 403), (Role.TRAINER, 403), (Role.ADMIN, 200)],
)
def test_a_staff_page_without_its_own_check_is_still_for_staff_only(
    app, client, auth, visitor, status
):
    if visitor != "anonymous":
        auth.login_as(visitor)

    response = client.get("/admin/probe/")

    assert response.status_code == status
    if status == 302:
        assert response.headers["Location"].startswith("/account/login")
    assert app.extensions["probe_views_run"] == ([True] if status == 200 else [])
