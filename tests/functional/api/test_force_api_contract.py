"""The API document says what the server enforces, and the server does what it says: the
withdrawal body is required, a reason may run over several lines, cross-field date ranges are
answered (not refused), unknown parameters are refused as the document says, problem details are
written for systems, and a cursor is any string of the documented shape."""

import re
from datetime import date, timedelta

import pytest

from booking.models import Referral, ReferralStatus, utcnow
from booking.services.referrals import admin, reminders
from tests import factories
from tests.force_helpers import bearer, force_with_token, referral_body

pytestmark = pytest.mark.database


@pytest.fixture
def world(db):
    force, token = force_with_token()
    course = factories.course_type(slug="drug-awareness")
    db.session.commit()
    return force, token, course


def _create(client, token, course):
    response = client.post(
        "/api/v1/referrals", json=referral_body(course.slug), headers=bearer(token)
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_a_withdrawal_without_a_body_is_refused_and_changes_nothing(client, db, world):
    """Failed before: 200, and the referral was withdrawn, though the body is required."""
    force, token, course = world
    referral_id = _create(client, token, course)
    url = f"/api/v1/referrals/{referral_id}/withdraw"
    for kwargs in ({}, {"json": {}}, {"json": {"reason": "   "}}):
        response = client.post(url, headers=bearer(token), **kwargs)
        assert response.status_code in (400, 422)
        assert response.content_type == "application/problem+json"
        assert db.session.get(Referral, referral_id).status == ReferralStatus.OPEN
        db.session.expire_all()
    document = client.get("/api/v1/openapi.json").get_json()
    body = document["paths"]["/api/v1/referrals/{referral_id}/withdraw"]["post"]["requestBody"]
    assert body["required"] is True


def test_a_reason_over_several_lines_is_accepted(client, db, world):
    """Failed before: 422 "Must not contain control characters." for a line break."""
    force, token, course = world
    referral_id = _create(client, token, course)
    response = client.post(
        f"/api/v1/referrals/{referral_id}/withdraw",
        json={"reason": "Charged instead.\r\nSee custody record 12."},
        headers=bearer(token),
    )
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    nul = client.post(
        f"/api/v1/referrals/{_create_second(client, token, course)}/withdraw",
        json={"reason": "a\x00b"},
        headers=bearer(token),
    )
    assert nul.status_code == 422


def _create_second(client, token, course):
    response = client.post(
        "/api/v1/referrals",
        json=referral_body(course.slug, reference="AB/999/26"),
        headers=bearer(token),
    )
    return response.get_json()["id"]


def test_withdrawing_a_closed_referral_is_explained_for_a_system(client, world):
    """Failed before: the attendee's words, "... Please contact us."."""
    force, token, course = world
    referral_id = _create(client, token, course)
    url = f"/api/v1/referrals/{referral_id}/withdraw"
    client.post(url, json={"reason": "Charged"}, headers=bearer(token))
    again = client.post(url, json={"reason": "Charged"}, headers=bearer(token))
    assert again.status_code == 409
    assert "contact us" not in again.get_json()["detail"].lower()
    assert again.get_json()["detail"] == "The referral already has an outcome: it stays as it is."


def test_outcome_ranges_the_schema_allows_are_answered(client, world):
    """Failed before: 422 for `to` before `from` and for more than 366 days, though the
    document allowed both (JSON Schema cannot compare two fields)."""
    force, token, course = world
    backwards = client.get("/api/v1/outcomes?from=2026-05-02&to=2026-05-01", headers=bearer(token))
    assert backwards.status_code == 200
    assert backwards.get_json() == {"items": [], "covered_to": None}
    long = client.get("/api/v1/outcomes?from=2020-01-01&to=2026-01-01", headers=bearer(token))
    assert long.status_code == 200
    assert long.get_json()["covered_to"] == "2020-12-31"  # 366 days, 2020 being a leap year
    short = client.get("/api/v1/outcomes?from=2026-01-01&to=2026-01-31", headers=bearer(token))
    assert short.get_json()["covered_to"] == "2026-01-31"


def test_a_parameter_the_operation_does_not_know_is_refused(client, world):
    """Failed before: 200, though the document said additionalProperties: false."""
    force, token, course = world
    for url in (
        "/api/v1/sessions?course_type=drug-awareness&=2",
        "/api/v1/referrals?colour=blue",
        "/api/v1/outcomes?from=2026-01-01&to=2026-01-02&page=2",
    ):
        response = client.get(url, headers=bearer(token))
        assert response.status_code == 422, url


def test_the_document_states_the_patterns_the_server_applies(client, world):
    """Failed before: no pattern for control characters, slugs, cursors or today's dates."""
    force, token, course = world
    document = client.get("/api/v1/openapi.json").get_json()
    create = document["components"]["schemas"]["ReferralCreate"]["properties"]
    assert create["course_type"]["enum"] == ["drug-awareness"]
    today = reminders.today_in_uk(utcnow())
    pattern = re.compile(create["referral_date"]["pattern"])
    first, last = (today - timedelta(days=5 * 365), today + timedelta(days=365))
    assert pattern.match(first.isoformat()) and pattern.match(last.isoformat())
    assert not pattern.match((first - timedelta(days=1)).isoformat())
    assert not pattern.match((last + timedelta(days=1)).isoformat())
    name = re.compile(create["first_name"]["pattern"])
    assert name.match("Sam") and not name.match("Sa\x0em") and not name.match("   ")
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in document["paths"]["/api/v1/sessions"]["get"]["parameters"]
    }
    slug = re.compile(parameters["course_type"]["pattern"])
    assert slug.match("drug-awareness") and not slug.match("\x0e/")


def test_any_cursor_of_the_documented_shape_is_read(client, world):
    """Failed before: `cursor=skip` was valid by the document and refused with a 400."""
    force, token, course = world
    _create(client, token, course)
    first = client.get("/api/v1/referrals?limit=1", headers=bearer(token)).get_json()
    assert re.fullmatch(r"[0-9]{1,17}-[0-9]{1,9}", first["next_cursor"])
    assert client.get("/api/v1/referrals?cursor=0-0", headers=bearer(token)).status_code == 200
    refused = client.get("/api/v1/referrals?cursor=skip", headers=bearer(token))
    assert refused.status_code == 422
    assert refused.content_type == "application/problem+json"


def test_a_withdrawn_referral_is_dated_in_the_csv_and_on_the_force_page(client, auth, db):
    """Failed before: no date for a withdrawn referral in the CSV; the page mixed formats."""
    force = factories.force()
    course = factories.course_type()
    from tests.referral_factories import referral

    row = referral(force, course)
    now = utcnow()
    admin.withdraw(row, by=None, now=now, reason="Charged", policy=factories.ENDING_POLICY)
    db.session.commit()
    start, end = row.referral_date, row.referral_date
    body = admin.outcome_report_csv(force, start, end, by=None, now=now)
    header, line = body.splitlines()[:2]
    values = dict(zip(header.split(","), line.split(","), strict=True))
    assert values["outcome"] == "withdrawn"
    assert values["outcome_date"] == reminders.today_in_uk(now).isoformat()
    date.fromisoformat(values["outcome_date"])


def test_the_near_deadline_list_says_none_yet_when_nothing_was_sent(client, auth, db):
    """Failed before: "7 days before" for a referral with no person, though nothing was sent."""
    from booking.models import Role
    from tests.referral_factories import referral

    force = factories.force()
    course = factories.course_type()
    now = utcnow()
    row = referral(force, course, deadline=reminders.today_in_uk(now) + timedelta(days=6))
    db.session.commit()
    assert row.user_id is None
    reminders.send_deadline_reminders(now=now, choose_url="https://example.org/referral")
    db.session.commit()
    auth.login_as(Role.ADMIN)
    page = client.get("/admin/referrals/near-deadline")
    assert b"7 days before" not in page.data
    assert b"none yet" in page.data
