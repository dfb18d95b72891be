"""Every page added for referrals, self-service and waiting lists checks who may use it."""

import pytest

from booking.models import Role
from tests import factories

pytestmark = pytest.mark.database

OPEN_TO_EVERYONE = {"referral.start", "referral.magic_link", "account.changes.claim"}
ATTENDEE_ONLY_PREFIXES = ("referral.", "account.changes.")
ADMIN_ONLY_PREFIX = "staff.referrals."


def _paths(app):
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith((*ATTENDEE_ONLY_PREFIXES, ADMIN_ONLY_PREFIX)):
            continue
        values = {arg: 1 if "id" in arg else "X" for arg in rule.arguments}
        path = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_anonymous_people_are_sent_to_sign_in_except_on_open_pages(app, client):
    checked = 0
    for endpoint, method, path in _paths(app):
        response = client.open(path, method=method)
        if endpoint in OPEN_TO_EVERYONE:
            # 400: an open page's empty form, refused by the page itself.
            assert response.status_code in (200, 400, 404), (endpoint, response.status_code)
        else:
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/account/login" in response.headers["Location"]
        checked += 1
    assert checked >= 15


def test_roles_are_kept_apart(app, client, db, auth):
    auth.login_as(Role.ATTENDEE)
    for endpoint, method, path in _paths(app):
        if endpoint.startswith(ADMIN_ONLY_PREFIX):
            assert client.open(path, method=method).status_code == 403, endpoint
    auth.logout()
    auth.login_as(user=factories.user(Role.TRAINER))
    for endpoint, method, path in _paths(app):
        if endpoint not in OPEN_TO_EVERYONE:
            assert client.open(path, method=method).status_code == 403, endpoint
