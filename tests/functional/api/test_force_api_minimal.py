"""Data minimisation: every field the API can answer with is on an allow-list, outcomes carry
status and date only, and the OpenAPI document says the same."""

import pytest

from booking.models import utcnow
from booking.services.referrals import admin, sharing
from tests import factories
from tests.force_helpers import bearer, force_with_token, referral_body
from tests.referral_factories import referral

pytestmark = pytest.mark.database

REFERRAL_FIELDS = {
    "id",
    "police_reference",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "phone",
    "disposal_type",
    "course_type",
    "referral_date",
    "deadline",
    "status",
    "completed_on",
    "original_deadline",
    "extension_agreed_by",
    "extension_agreed_on",
    "updated_at",
}
OUTCOME_FIELDS = {"referral_id", "police_reference", "status", "date"}
SESSION_FIELDS = {
    "id",
    "course_type",
    "starts_at",
    "ends_at",
    "online",
    "venue",
    "postcode",
    "women_only",
    "places_left",
}
PAGE_FIELDS = {"items", "next_cursor", "covered_to"}
PROBLEM_FIELDS = {"type", "title", "status", "detail", "errors", "referral_id"}
# An outcome may carry more only where the force's agreement names it (sharing.FIELDS).
SHAREABLE = set(sharing.FIELDS)
ALLOWED = REFERRAL_FIELDS | SHAREABLE | SESSION_FIELDS | PAGE_FIELDS | PROBLEM_FIELDS


def _keys(value) -> set[str]:
    """Every object key in a JSON answer, however deep (a problem's field errors excepted:
    they echo the names the caller sent)."""
    if isinstance(value, dict):
        keys = set(value)
        for key, inner in value.items():
            if key != "errors":
                keys |= _keys(inner)
        return keys
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    return set()


def test_every_answer_of_every_operation_holds_only_allowed_fields(client, db):
    force, token = force_with_token()
    course = factories.course_type()
    factories.course_session(course_type_row=course, venue_row=factories.venue(force))
    done = referral(force, course, police_reference="DONE/1")
    admin.withdraw(
        done, by=None, now=utcnow(), reason="Force asked", policy=factories.ENDING_POLICY
    )
    db.session.commit()
    headers = bearer(token)
    today = utcnow().date().isoformat()
    created = client.post("/api/v1/referrals", json=referral_body(course.slug), headers=headers)
    referral_id = created.get_json()["id"]
    answers = [
        created,
        client.get("/api/v1/referrals", headers=headers),
        client.get(f"/api/v1/referrals/{referral_id}", headers=headers),
        client.get(f"/api/v1/outcomes?from={today}&to={today}", headers=headers),
        client.get(f"/api/v1/sessions?course_type={course.slug}", headers=headers),
        client.post(
            f"/api/v1/referrals/{referral_id}/withdraw", json={"reason": "x"}, headers=headers
        ),
        client.post("/api/v1/referrals", json={}, headers=headers),
        client.get("/api/v1/referrals/999999", headers=headers),
    ]
    assert [answer.status_code for answer in answers] == [201, 200, 200, 200, 200, 200, 422, 404]
    for answer in answers:
        assert _keys(answer.get_json()) <= ALLOWED, answer.request.path
    [outcome] = answers[3].get_json()["items"]
    assert set(outcome) == OUTCOME_FIELDS
    assert len(answers[4].get_json()["items"]) == 1


def _properties(document: dict, schema: dict) -> set[str]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    names = set(schema.get("properties", {}))
    for inner in schema.get("properties", {}).values():
        names |= _properties(document, inner)
    if "items" in schema:
        names |= _properties(document, schema["items"])
    return names


def test_the_documented_answers_hold_only_allowed_fields(client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for answer in operation["responses"].values():
                for content in answer.get("content", {}).values():
                    documented |= _properties(document, content["schema"])
    assert documented <= ALLOWED
    outcome = document["components"]["schemas"]["Outcome"]
    assert set(outcome["properties"]) == SHAREABLE
    assert outcome["additionalProperties"] is False
