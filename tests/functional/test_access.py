"""Who may use every route: each endpoint in app.url_map, for each kind of visitor.

The table below classifies every route. A new route that is not in it makes
``test_every_route_is_classified`` fail, so nobody can add a page without deciding who sees it.
"""

import pytest

from booking import create_app
from booking.models import Role, utcnow
from booking.services import accounts, bookings
from config import TestConfig
from tests import factories

PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # anyone holding a valid emailed link
SIGNED_IN = "signed_in"  # any signed-in person
ATTENDEE = "attendee"  # attendees only
OWNER = "owner"  # the attendee whose booking it is; another attendee gets 404
ADMIN = "admin"  # charity staff only

ACCESS = {
    "/static/<path:filename>": PUBLIC,
    "/": PUBLIC,
    "/sessions": PUBLIC,
    "/sessions/<int:session_id>": PUBLIC,
    "/accessibility": PUBLIC,
    "/healthz": PUBLIC,
    "/account/login": PUBLIC,
    "/account/logout": SIGNED_IN,
    "/account/register": PUBLIC,
    "/account/forgot-password": PUBLIC,
    "/account/reset-password/<token>": TOKEN,
    "/my/sessions/<int:session_id>/book": ATTENDEE,
    "/my/bookings": ATTENDEE,
    "/my/bookings/<reference>": OWNER,
    "/my/bookings/<reference>/cancel": OWNER,
    "/admin/": ADMIN,
    "/admin/venues": ADMIN,
    "/admin/venues/<int:venue_id>": ADMIN,
    "/admin/venues/new": ADMIN,
    "/admin/course-types": ADMIN,
    "/admin/course-types/<int:course_type_id>": ADMIN,
    "/admin/course-types/new": ADMIN,
    "/admin/sessions": ADMIN,
    "/admin/sessions/<int:session_id>/edit": ADMIN,
    "/admin/sessions/new": ADMIN,
    "/admin/sessions/<int:session_id>": ADMIN,
    "/admin/sessions/<int:session_id>/cancel": ADMIN,
}

VISITORS = ["anonymous", "attendee", "other_attendee", "trainer", "admin"]


def _routes() -> list[tuple[str, str]]:
    app = create_app(TestConfig)
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_is_classified():
    rules = {rule for rule, _ in _routes()}
    assert rules - ACCESS.keys() == set(), "classify these routes in ACCESS"
    assert ACCESS.keys() - rules == set(), "these routes no longer exist"


def _expected(access: str, visitor: str, method: str) -> str:
    """'login' (redirect to sign in), 'forbidden' (403), 'missing' (404) or 'ok' (< 400)."""
    if access in (PUBLIC, TOKEN):
        return "ok"
    if visitor == "anonymous":
        return "login"
    if access == SIGNED_IN:
        return "ok"
    if access == ADMIN:
        return "ok" if visitor == "admin" else "forbidden"
    if visitor not in ("attendee", "other_attendee"):
        return "forbidden"
    if access == OWNER and visitor == "other_attendee":
        return "missing"
    return "ok"


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("rule", "method"), _routes())
def test_route_access(app, client, auth, db, rule, method, visitor):
    owner = factories.user(Role.ATTENDEE)
    booked = factories.course_session()
    booking = bookings.book_session(booked.id, owner, now=utcnow())
    course_session = factories.course_session()  # one with no booking yet, to book
    values = {
        "filename": "site.css",
        "session_id": course_session.id,
        "venue_id": course_session.venue_id,
        "course_type_id": course_session.course_type_id,
        "reference": booking.reference,
        "token": accounts.reset_token(owner, app.config["SECRET_KEY"]),
    }
    db.session.commit()
    if visitor == "attendee":
        auth.login_as(user=owner)
    elif visitor == "other_attendee":
        auth.login_as(Role.ATTENDEE)
    elif visitor != "anonymous":
        auth.login_as(Role(visitor))
    url = rule
    for name, value in values.items():
        for converter in ("", "int:", "path:"):
            url = url.replace(f"<{converter}{name}>", str(value))
    assert "<" not in url, f"no value for a parameter of {rule}"

    response = client.open(url, method=method, data={})
    expected = _expected(ACCESS[rule], visitor, method)
    status = response.status_code
    response.close()
    if expected == "login":
        assert status == 302, status
        assert response.headers["Location"].startswith("/account/login"), response.headers
    elif expected == "forbidden":
        assert status == 403, status
    elif expected == "missing":
        assert status == 404, status
    else:
        assert status < 400, status
        if method == "GET":
            assert status == 200, status
