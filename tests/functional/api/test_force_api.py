"""The force API: create, read, list changes, withdraw, outcomes and sessions, each scoped to
the token's force, with problem details for every refusal and every call audited."""

import base64
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from booking import create_app
from booking.extensions import db as _db
from booking.models import AuditEvent, Referral, utcnow
from booking.services.referrals import tokens
from config import TestConfig
from tests import factories
from tests.force_helpers import bearer, force_with_token, referral_body

pytestmark = pytest.mark.database


@pytest.fixture
def world(db):
    force, token = force_with_token()
    course = factories.course_type()
    db.session.commit()
    return force, token, course


def _create(client, token, course, **fields):
    return client.post(
        "/api/v1/referrals", json=referral_body(course.slug, **fields), headers=bearer(token)
    )


def test_a_force_creates_a_referral_and_reads_its_status(client, world):
    force, token, course = world
    response = _create(client, token, course)
    assert response.status_code == 201
    created = response.get_json()
    assert response.headers["Location"] == f"/api/v1/referrals/{created['id']}"
    assert created["police_reference"] == "AB/123/26"
    assert created["course_type"] == course.slug
    assert created["status"] == "open"

    again = client.get(response.headers["Location"], headers=bearer(token))
    assert again.status_code == 200
    assert again.get_json()["status"] == "open"


def test_retrying_with_the_same_idempotency_key_makes_one_referral(client, db, world):
    force, token, course = world
    headers = {**bearer(token), "Idempotency-Key": "retry-1"}
    body = referral_body(course.slug)
    first = client.post("/api/v1/referrals", json=body, headers=headers)
    second = client.post("/api/v1/referrals", json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert db.session.scalar(select(func.count(Referral.id))) == 1

    # The same key with a different request is refused, and the answer says why.
    for changed in (
        referral_body(course.slug, "OTHER/1"),
        referral_body(course.slug, last_name="Jones"),
        referral_body(course.slug, date_of_birth="1991-04-01"),
    ):
        other = client.post("/api/v1/referrals", json=changed, headers=headers)
        assert other.status_code == 422
        assert other.content_type == "application/problem+json"
        assert "Idempotency-Key was already used" in other.get_json()["detail"]
    assert db.session.scalar(select(func.count(Referral.id))) == 1


def test_the_same_police_reference_without_the_key_is_a_conflict(client, world):
    force, token, course = world
    first = _create(client, token, course)
    second = _create(client, token, course)
    assert second.status_code == 409
    problem = second.get_json()
    assert problem["status"] == 409 and problem["referral_id"] == first.get_json()["id"]


def test_bad_fields_are_refused_with_problem_details_and_nothing_is_saved(client, db, world):
    force, token, course = world
    response = client.post(
        "/api/v1/referrals",
        json={"police_reference": "X1", "first_name": "Sam"},
        headers=bearer(token),
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert "last_name" in problem["errors"]["json"]

    unknown_course = _create(client, token, course, course_type="no-such-course")
    assert unknown_course.status_code == 422
    assert "course type" in unknown_course.get_json()["detail"]
    assert db.session.scalar(select(func.count(Referral.id))) == 0


def test_no_token_or_a_revoked_one_is_refused(client, db, world):
    force, token, course = world
    assert client.get("/api/v1/referrals").status_code == 401
    wrong = client.get("/api/v1/referrals", headers=bearer("wpt_not-a-token"))
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert wrong.content_type == "application/problem+json"

    row = tokens.authenticate(token)
    tokens.revoke_token(row, by=None, now=utcnow())
    db.session.commit()
    assert client.get("/api/v1/referrals", headers=bearer(token)).status_code == 401


def test_force_a_cannot_read_list_or_withdraw_force_b_referrals(client, db, world):
    force_a, token_a, course = world
    force_b, token_b = force_with_token()
    db.session.commit()
    created = _create(client, token_b, course).get_json()

    assert (
        client.get(f"/api/v1/referrals/{created['id']}", headers=bearer(token_a)).status_code == 404
    )
    withdrawn = client.post(
        f"/api/v1/referrals/{created['id']}/withdraw",
        json={"reason": "Charged"},
        headers=bearer(token_a),
    )
    assert withdrawn.status_code == 404
    listed = client.get("/api/v1/referrals", headers=bearer(token_a)).get_json()
    assert listed["items"] == []
    today = utcnow().date().isoformat()
    outcomes = client.get(f"/api/v1/outcomes?from={today}&to={today}", headers=bearer(token_a))
    assert outcomes.get_json()["items"] == []
    # Force B's referral is untouched and still its own.
    mine = client.get(f"/api/v1/referrals/{created['id']}", headers=bearer(token_b)).get_json()
    assert mine["status"] == "open"


def test_the_changes_list_pages_with_a_cursor(client, db, world):
    force, token, course = world
    ids = [_create(client, token, course, reference=f"R{n}").get_json()["id"] for n in range(3)]
    first = client.get("/api/v1/referrals?limit=2", headers=bearer(token)).get_json()
    assert [item["id"] for item in first["items"]] == ids[:2]
    rest = client.get(
        f"/api/v1/referrals?cursor={first['next_cursor']}", headers=bearer(token)
    ).get_json()
    assert [item["id"] for item in rest["items"]] == ids[2:]
    nothing_new = client.get(
        f"/api/v1/referrals?cursor={rest['next_cursor']}", headers=bearer(token)
    ).get_json()
    assert nothing_new["items"] == [] and nothing_new["next_cursor"] == rest["next_cursor"]

    client.post(f"/api/v1/referrals/{ids[0]}/withdraw", json={"reason": "x"}, headers=bearer(token))
    changed = client.get(
        f"/api/v1/referrals?cursor={rest['next_cursor']}", headers=bearer(token)
    ).get_json()
    assert [(item["id"], item["status"]) for item in changed["items"]] == [(ids[0], "withdrawn")]

    bad = client.get("/api/v1/referrals?cursor=nonsense", headers=bearer(token))
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"


def test_a_force_withdraws_a_referral_once_and_the_outcome_is_listed(client, db, world):
    force, token, course = world
    created = _create(client, token, course).get_json()
    url = f"/api/v1/referrals/{created['id']}/withdraw"
    response = client.post(url, json={"reason": "Charged instead"}, headers=bearer(token))
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawn"
    again = client.post(url, json={"reason": "Again"}, headers=bearer(token))
    assert again.status_code == 409

    today = utcnow().date().isoformat()
    outcomes = client.get(f"/api/v1/outcomes?from={today}&to={today}", headers=bearer(token))
    assert outcomes.get_json()["items"] == [
        {
            "referral_id": created["id"],
            "police_reference": "AB/123/26",
            "status": "withdrawn",
            "date": today,
        }
    ]


def test_outcome_dates_the_wrong_way_round_cover_nothing(client, world):
    force, token, course = world
    response = client.get("/api/v1/outcomes?from=2026-05-02&to=2026-05-01", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"items": [], "covered_to": None}


def test_sessions_that_fit_are_in_the_force_area_or_online(client, db, world):
    force, token, course = world
    here = factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    online = factories.course_session(course_type_row=course, online=True)
    factories.course_session(course_type_row=course)  # another force's area
    factories.course_session(venue_row=factories.venue(force))  # another course
    db.session.commit()
    response = client.get(f"/api/v1/sessions?course_type={course.slug}", headers=bearer(token))
    assert response.status_code == 200
    assert {item["id"] for item in response.get_json()["items"]} == {here.id, online.id}


def test_every_call_is_audited_with_its_token(client, db, world):
    force, token, course = world
    client.get("/api/v1/referrals", headers=bearer(token))
    _create(client, token, course)
    client.get("/api/v1/referrals")
    calls = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.call")).all()
    assert [(event.detail["method"], event.detail["status"]) for event in calls] == [
        ("GET", 200),
        ("POST", 201),
    ]
    refused = db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "api.refused")
    )
    assert refused == 1
    assert tokens.authenticate(token).last_used_at is not None


def test_tokens_are_rate_limited_one_budget_each(database_url, db):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=True,
        API_RATE_LIMIT="2 per minute",
    )
    with app.app_context():
        _, token = force_with_token()
        _, other = force_with_token()
        _db.session.commit()
        client = app.test_client()
        statuses = [
            client.get("/api/v1/referrals", headers=bearer(token)).status_code for _ in "abc"
        ]
        assert statuses == [200, 200, 429]
        limited = client.get("/api/v1/referrals", headers=bearer(token))
        assert limited.content_type == "application/problem+json"
        # docs/api.md promises it: how many seconds to wait, within the minute's window.
        assert 1 <= int(limited.headers["Retry-After"]) <= 61
        assert client.get("/api/v1/referrals", headers=bearer(other)).status_code == 200
        _db.session.remove()
        _db.engine.dispose()


def test_the_api_needs_no_csrf_token_even_when_csrf_is_on(database_url, db):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        _, token = force_with_token()
        course = factories.course_type()
        _db.session.commit()
        response = app.test_client().post(
            "/api/v1/referrals",
            json=referral_body(course.slug),
            headers={**bearer(token), "Origin": "https://elsewhere.example"},
        )
        assert response.status_code == 201
        _db.session.remove()
        _db.engine.dispose()


def test_the_openapi_document_is_3_1_and_the_docs_page_loads_nothing_from_elsewhere(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert {"/api/v1/referrals", "/api/v1/outcomes", "/api/v1/sessions"} <= set(document["paths"])
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"Create a referral" in page.data
    assert b"https://cdn" not in page.data and b'<script src="http' not in page.data
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_an_unknown_api_address_answers_with_problem_details(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.get_json()["status"] == 404


def test_referral_date_and_deadline_are_checked_like_the_csv(client, world):
    force, token, course = world
    today = utcnow().date()
    early = (today - timedelta(days=2)).isoformat()
    response = _create(client, token, course, referral_date=today.isoformat(), deadline=early)
    assert response.status_code == 422
    assert response.get_json()["detail"] == "Deadline is before the referral date."


def test_control_characters_are_refused_not_stored(client, db, world):
    force, token, course = world
    response = _create(client, token, course, police_reference="AB\x00/1", first_name="S\udacd")
    assert response.status_code == 422
    errors = response.get_json()["errors"]["json"]
    assert set(errors) == {"police_reference", "first_name"}
    sessions = client.get("/api/v1/sessions?course_type=a%00b", headers=bearer(token))
    assert sessions.status_code == 422


def test_outcomes_at_the_ends_of_the_calendar_are_an_empty_list(client, world):
    force, token, course = world
    for start, end in (("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-01-31")):
        response = client.get(f"/api/v1/outcomes?from={start}&to={end}", headers=bearer(token))
        assert response.status_code == 200 and response.get_json()["items"] == []


def test_a_forged_cursor_is_a_422_not_a_crash(client, world):
    force, token, course = world
    for raw in ("0001-01-01T00:00:00+05:00|1", "9999-12-31T23:59:59-05:00|1", "x|y", "2026|"):
        cursor = base64.urlsafe_b64encode(raw.encode()).decode()
        response = client.get(f"/api/v1/referrals?cursor={cursor}", headers=bearer(token))
        assert response.status_code == 422, raw
    # An id too long for the database's integer is refused, not sent to the query.
    response = client.get("/api/v1/referrals?cursor=1-9999999999", headers=bearer(token))
    assert response.status_code == 422
    # Any cursor of the documented shape is read, the largest included.
    for cursor in ("0-0", "99999999999999999-999999999"):
        response = client.get(f"/api/v1/referrals?cursor={cursor}", headers=bearer(token))
        assert response.status_code == 200, cursor
