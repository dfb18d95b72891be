"""Each force's data-sharing agreement decides what leaves Waypoint for it, through one
allow-list (sharing.share) used by the outcome answers of the API and the outcome webhooks;
a force without an agreement gets only the minimal outcome fields; the force's own outcome
codes and words travel with Waypoint's status."""

import json

import pytest

from booking.models import utcnow
from booking.services.referrals import admin, sharing, webhooks
from tests import factories
from tests.force_helpers import bearer, force_with_token
from tests.referral_factories import referral

pytestmark = pytest.mark.database

DYFED_POWYS_TERMS = sharing.Terms(
    fields=["outcome_code", "outcome_wording", "referral_date", "deadline"],
    lawful_basis="Law enforcement purposes (Data Protection Act 2018, Part 3)",
    retention="Six years from the outcome",
    governance_contact="information.governance@dyfed-powys.example.uk",
    codes={"completed": ("Outcome 22", "condition met"), "withdrawn": ("W1", "withdrawn")},
)


def _withdrawn(force, db):
    row = referral(force, factories.course_type())
    force.webhook_url, force.webhook_secret = "https://force.example/hooks", "s" * 20
    admin.withdraw(
        row, by=None, now=utcnow(), reason="Charged instead", policy=factories.ENDING_POLICY
    )
    db.session.commit()
    return row


def _outgoing(client, db, force, token):
    """Every outcome record that left for the force: its API answer and its webhook body."""
    today = utcnow().date().isoformat()
    answer = client.get(f"/api/v1/outcomes?from={today}&to={today}", headers=bearer(token))
    deliveries = webhooks.recent_deliveries(force)
    return answer.get_json()["items"] + [json.loads(d.body)["data"] for d in deliveries]


def test_a_force_without_an_agreement_gets_only_the_minimal_fields(client, db):
    force, token = force_with_token()
    _withdrawn(force, db)
    records = _outgoing(client, db, force, token)
    assert len(records) == 2
    for record in records:
        assert set(record) == set(sharing.MINIMAL)


def test_every_outgoing_field_passes_the_agreement(client, db):
    """Failed before: there was no agreement; every force got the same fields."""
    force, token = force_with_token()
    sharing.record_agreement(force, DYFED_POWYS_TERMS, by=None, now=utcnow())
    _withdrawn(force, db)
    allowed = set(sharing.allowed_fields(sharing.current(force.id)))
    assert allowed == set(sharing.MINIMAL) | set(DYFED_POWYS_TERMS.fields)
    records = _outgoing(client, db, force, token)
    assert len(records) == 2
    for record in records:
        assert set(record) <= allowed
        assert record["outcome_code"] == "W1" and record["outcome_wording"] == "withdrawn"
        assert "extension_agreed_by" not in record and "completed_on" not in record


def test_a_new_version_changes_what_is_sent_and_the_old_one_is_kept(db):
    force = factories.force()
    first = sharing.record_agreement(force, DYFED_POWYS_TERMS, by=None, now=utcnow())
    narrower = sharing.Terms(**{**DYFED_POWYS_TERMS.__dict__, "fields": ["outcome_code"]})
    second = sharing.record_agreement(force, narrower, by=None, now=utcnow())
    assert (first.version, second.version) == (1, 2)
    assert sharing.current(force.id).id == second.id
    record = {"referral_id": 1, "deadline": "2026-01-01", "first_name": "Sam", "status": "x"}
    assert sharing.share(second, record) == {"referral_id": 1, "status": "x"}
    with pytest.raises(ValueError, match="Not a field"):
        sharing.record_agreement(
            force,
            sharing.Terms(**{**DYFED_POWYS_TERMS.__dict__, "fields": ["first_name"]}),
            by=None,
            now=utcnow(),
        )


def test_the_person_is_told_in_plain_words(db):
    without = sharing.plain_words(None)
    assert without.startswith("What we tell the police:")
    assert "the police reference" in without and "the date of that outcome" in without
    assert "police code" not in without
    force = factories.force()
    agreement = sharing.record_agreement(force, DYFED_POWYS_TERMS, by=None, now=utcnow())
    assert "the police code for that outcome" in sharing.plain_words(agreement)


def test_an_admin_records_a_version_and_a_scheduler_cannot(client, auth, db):
    from booking.models import Role

    force = factories.force()
    db.session.commit()
    url = f"/admin/referrals/forces/{force.slug}/agreement"
    data = {
        "fields": ["outcome_code", "outcome_wording"],
        "lawful_basis": "Law enforcement purposes",
        "retention": "Six years",
        "governance_contact": "ig@force.example.uk",
        "completed_code": "Outcome 22",
        "completed_wording": "condition met",
    }
    auth.login_as(Role.SCHEDULER)
    assert client.post(url, data=data).status_code == 403
    assert sharing.current(force.id) is None
    auth.logout()
    auth.login_as(Role.ADMIN)
    page = client.get(url)
    assert b"receives only the minimal fields" in page.data
    assert client.post(url, data={**data, "lawful_basis": ""}).status_code == 400
    assert client.post(url, data=data).status_code == 303
    db.session.expire_all()
    agreement = sharing.current(force.id)
    assert (agreement.version, agreement.completed_code) == (1, "Outcome 22")
    assert sharing.allowed_fields(agreement) == (
        *sharing.MINIMAL,
        "outcome_code",
        "outcome_wording",
    )
    assert b"Outcome 22" in client.get(url).data
