"""One gate in front of every staff page: nobody but staff reaches a staff view.

The gate runs before each staff blueprint's own checks and views, so a staff page added
without a role check of its own is still closed to attendees, trainers and strangers.
"""

import pytest
from flask import Blueprint, current_app

from booking import create_app, staff
from booking.extensions import db
from booking.models import Role
from booking.staff import access
from config import TestConfig

STAFF_AREAS = {
    "staff.schedule",
    "staff.money",
    "staff.referrals",
    "staff.trainers",
    "staff.people",
    "staff.accounts",
    "staff.privacy",
    "staff.contact",
}


def test_the_gate_is_attached_once_to_the_staff_parent(app):
    assert app.before_request_funcs["staff"][0] is access.require_staff
    for name, functions in app.before_request_funcs.items():
        if name != "staff":
            assert access.require_staff not in functions, name


def test_every_admin_page_is_in_a_staff_area_named_after_its_folder(app):
    areas = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin"):
            area, _, _ = rule.endpoint.rpartition(".")
            assert area.startswith("staff."), rule.rule
            areas.add(area)
    assert areas >= STAFF_AREAS
    assert set(access.AREA_ROLES) == STAFF_AREAS


def test_every_page_role_rule_names_a_real_page(app):
    """A rule for one page under a name that no longer exists would silently stop applying."""
    assert set(access.ENDPOINT_ROLES) <= set(app.view_functions)


@pytest.fixture
def app(database_url, monkeypatch):
    """The app with one extra staff area whose page has no role check of its own."""
    probe = Blueprint("probe", __name__)

    @probe.get("/")
    def page():
        current_app.extensions["probe_views_run"].append(True)
        return "staff only"

    monkeypatch.setattr(staff, "AREAS", [*staff.AREAS, (probe, "/probe")])
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url)
    app.extensions["probe_views_run"] = []
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
